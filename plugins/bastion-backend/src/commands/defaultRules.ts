import type { NewRule } from '../database/BastionStore';

/** Block devices (`/dev/sda`, `/dev/nvme0n1`, `/dev/mapper/…`). */
const BLOCK =
  '/dev/(?:sd|hd|vd|xvd|nvme|mmcblk|md\\d|dm-|loop\\d|sr\\d|mapper/|disk/)';
/** `/` and the system directories, also as `/dir/*`. */
const SYSTEM_DIRS =
  '(?:/|/\\*|/(?:bin|boot|dev|etc|home|lib|lib32|lib64|libx32|opt|proc|root|run|sbin|srv|sys|usr|var)(?:/\\*)?)';
/** One argument somewhere after the command name (arguments are separated by single spaces). */
const ANY_ARG = (re: string) => `(?=(?:.*\\s)?${re}(?:\\s|$))`;
const RECURSIVE = '(?:-[a-zA-Z]*[rR][a-zA-Z]*|--recursive)';

/**
 * The rule set every installation starts with (a migration inserts it; admins may change or
 * delete the rules like any other). Patterns match the canonical command text the shell parser
 * produces (quotes and escapes removed, paths normalised, one space between words), so
 * `r''m -rf /`, `/usr/bin/../bin/rm -rf /usr/` and `sudo rm -rf /` all read `rm -rf …`.
 * Priorities 900+ so that rules an admin adds (default priority 100) come first.
 */
export const DEFAULT_RULES: Array<Omit<NewRule, 'createdBy'>> = [
  {
    name: 'Recursive delete of / or a system directory',
    kind: 'command',
    pattern: `^rm\\s${ANY_ARG(RECURSIVE)}${ANY_ARG(SYSTEM_DIRS)}`,
    action: 'reject',
    priority: 900,
    scope: {},
  },
  {
    name: 'Filesystem creation',
    kind: 'command',
    pattern:
      '^(?:mkfs(?:\\.[\\w.-]+)?|mke2fs|mkswap|mkdosfs|mkntfs|mkexfatfs|wipefs)(?:\\s|$)',
    action: 'reject',
    priority: 901,
    scope: {},
  },
  {
    name: 'Raw write to a block device',
    kind: 'command',
    pattern: [
      `^dd\\s(?:.*\\s)?of=${BLOCK}`,
      `^(?:tee|shred|blkdiscard)\\s(?:.*\\s)?${BLOCK}`,
      `^cp\\s.*\\s${BLOCK}\\S*$`,
      `(?:^|\\s)[0-9&]*>[>|]?${BLOCK}`,
    ].join('|'),
    action: 'reject',
    priority: 902,
    scope: {},
  },
  {
    name: 'Fork bomb (a function that calls itself)',
    kind: 'construct',
    pattern: '^recursive-function\\b',
    action: 'reject',
    priority: 903,
    scope: {},
  },
  {
    name: 'Shutdown, reboot, halt, power-off',
    kind: 'command',
    pattern:
      '^(?:shutdown|reboot|halt|poweroff)(?:\\s|$)|^(?:init|telinit)\\s+[06](?:\\s|$)|^systemctl\\s(?:.*\\s)?(?:poweroff|reboot|halt|kexec)(?:\\s|$)',
    action: 'reject',
    priority: 904,
    scope: {},
  },
  {
    name: 'Recursive permission or owner change on / or a system directory',
    kind: 'command',
    pattern: `^(?:chmod|chown|chgrp|setfacl)\\s${ANY_ARG(
      '(?:-[a-zA-Z]*R[a-zA-Z]*|--recursive)',
    )}${ANY_ARG(SYSTEM_DIRS)}`,
    action: 'reject',
    priority: 905,
    scope: {},
  },
  {
    name: 'Script piped into a shell or interpreter',
    kind: 'construct',
    pattern: '^interpreter-stdin\\b',
    action: 'reject',
    priority: 906,
    scope: {},
  },
  {
    name: 'Command only known when it runs (variable or substitution as command, eval of variables, fc)',
    kind: 'construct',
    pattern: '^(?:dynamic-command|eval|history-edit)\\b',
    action: 'reject',
    priority: 907,
    scope: {},
  },
  {
    name: 'Decoded data piped on (base64 -d |)',
    kind: 'construct',
    pattern: '^decode-pipe\\b',
    action: 'alert',
    priority: 908,
    scope: {},
  },
  {
    name: 'Inline code of another language (python -c, perl -e, awk system())',
    kind: 'construct',
    pattern: '^interpreter-code\\b',
    action: 'alert',
    priority: 909,
    scope: {},
  },
  {
    name: 'Heredoc or here-string',
    kind: 'construct',
    pattern: '^(?:heredoc|herestring)\\b',
    action: 'alert',
    priority: 910,
    scope: {},
  },
  {
    name: 'Line completed or recalled on the host (Tab, older history)',
    kind: 'construct',
    pattern: '^host-edited\\b',
    action: 'alert',
    priority: 911,
    scope: {},
  },
];
