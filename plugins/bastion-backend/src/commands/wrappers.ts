/**
 * Programs that run another program (`sudo rm`, `env rm`, `find -exec rm`) and programs that run
 * code they are given (`sh -c`, `python -c`, `| sh`): how the bastion finds what they run.
 */

/** How a wrapper's arguments lead to the command it runs. */
type WrapperSpec = {
  /** Options that take a value as the next word (`-u root`). */
  withValue?: string[];
  /** Positional words before the command (`timeout 5 cmd`: 1). */
  positional?: number;
  /** Option whose value is a shell command string (`su -c 'cmd'`, `flock -c`). */
  commandOption?: string[];
  /** NAME=VALUE words before the command are skipped (env). */
  assignments?: boolean;
  /** All remaining words are one shell command string (`watch`, `ssh host cmd`). */
  joinRest?: boolean;
};

const WRAPPERS: Record<string, WrapperSpec> = {
  sudo: {
    withValue: [
      '-u',
      '-g',
      '-h',
      '-p',
      '-C',
      '-D',
      '-r',
      '-t',
      '-U',
      '-T',
      '-R',
    ],
    assignments: true,
  },
  doas: { withValue: ['-u', '-C'] },
  pkexec: { withValue: ['--user'] },
  env: {
    withValue: ['-u', '--unset', '-C', '--chdir', '-S', '--split-string'],
    assignments: true,
  },
  nice: { withValue: ['-n', '--adjustment'] },
  nohup: {},
  time: {},
  command: {},
  builtin: {},
  exec: { withValue: ['-a'] },
  coproc: {},
  timeout: {
    withValue: ['-s', '--signal', '-k', '--kill-after'],
    positional: 1,
  },
  stdbuf: { withValue: ['-i', '-o', '-e'] },
  ionice: { withValue: ['-c', '-n', '-p', '-P', '-u'] },
  chrt: { positional: 1, withValue: ['-T', '-P', '-D'] },
  taskset: { positional: 1, withValue: ['-c', '--cpu-list'] },
  setsid: {},
  flock: {
    positional: 1,
    withValue: ['-w', '--timeout', '-E'],
    commandOption: ['-c', '--command'],
  },
  chroot: { positional: 1, withValue: ['--userspec', '--groups'] },
  unshare: { withValue: ['--map-user', '--map-group', '-S', '-G', '-R', '-w'] },
  nsenter: { withValue: ['-t', '--target', '-S', '-G', '-r', '-w'] },
  runuser: {
    withValue: ['-u', '-g', '-G', '-s', '--user', '--group'],
    commandOption: ['-c', '--command'],
  },
  su: {
    withValue: ['-g', '-G', '-s', '--shell', '-w'],
    commandOption: ['-c', '--command'],
  },
  strace: {
    withValue: [
      '-e',
      '-o',
      '-p',
      '-s',
      '-u',
      '-E',
      '-I',
      '-b',
      '-P',
      '-S',
      '-X',
      '-a',
    ],
  },
  ltrace: { withValue: ['-e', '-o', '-p', '-s', '-u', '-n', '-a'] },
  'systemd-run': {
    withValue: [
      '-p',
      '--property',
      '-u',
      '--unit',
      '-M',
      '-H',
      '--uid',
      '--gid',
      '--slice',
      '-E',
      '--setenv',
      '--description',
    ],
  },
  busybox: {},
  xargs: {
    withValue: [
      '-I',
      '-i',
      '-n',
      '-P',
      '-d',
      '-E',
      '-e',
      '-L',
      '-l',
      '-s',
      '-a',
      '--arg-file',
      '--delimiter',
      '--max-args',
      '--max-procs',
    ],
  },
  watch: { withValue: ['-n', '--interval', '-d', '-q'], joinRest: true },
  ssh: {
    withValue: [
      '-b',
      '-c',
      '-D',
      '-E',
      '-e',
      '-F',
      '-I',
      '-i',
      '-J',
      '-L',
      '-l',
      '-m',
      '-O',
      '-o',
      '-p',
      '-Q',
      '-R',
      '-S',
      '-W',
      '-w',
      '-B',
    ],
    positional: 1,
    joinRest: true,
  },
  script: {
    withValue: ['-E', '-O', '-B', '-I', '-T', '-m'],
    commandOption: ['-c', '--command'],
  },
};

/** What a wrapper word list runs: the inner argv, or a shell string to parse. */
export type Unwrapped =
  | { kind: 'argv'; argv: string[] }
  | { kind: 'shell'; source: string };

/**
 * The command a wrapper runs (`sudo -u x rm -rf /` → `rm -rf /`), undefined when `argv[0]` is no
 * wrapper or it runs nothing (`sudo -l`).
 */
export function unwrap(argv: string[]): Unwrapped | undefined {
  const spec = WRAPPERS[argv[0]];
  if (!spec) return findExec(argv);
  let positional = spec.positional ?? 0;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      return rest(argv.slice(i + 1 + positional), spec);
    }
    if (spec.commandOption?.includes(a)) {
      const source = argv[i + 1];
      return source === undefined ? undefined : { kind: 'shell', source };
    }
    if (argv[0] === 'env' && (a === '-S' || a === '--split-string')) {
      const source = argv[i + 1];
      return source === undefined
        ? undefined
        : { kind: 'shell', source: [source, ...argv.slice(i + 2)].join(' ') };
    }
    if (a.startsWith('-') && a.length > 1) {
      const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
      if (spec.withValue?.includes(name) && !a.includes('=')) i++;
      continue;
    }
    if (spec.assignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(a)) continue;
    if (positional > 0) {
      positional--;
      continue;
    }
    return rest(argv.slice(i), spec);
  }
  return undefined;
}

function rest(argv: string[], spec: WrapperSpec): Unwrapped | undefined {
  if (argv.length === 0) return undefined;
  if (spec.joinRest) return { kind: 'shell', source: argv.join(' ') };
  return { kind: 'argv', argv };
}

/** `find … -exec cmd {} ;` runs cmd. */
function findExec(argv: string[]): Unwrapped | undefined {
  if (argv[0] !== 'find') return undefined;
  const i = argv.findIndex(a => /^-(exec|execdir|ok|okdir)$/.test(a));
  if (i < 0) return undefined;
  let end = argv.findIndex((a, j) => j > i && (a === ';' || a === '+'));
  if (end < 0) end = argv.length;
  const inner = argv.slice(i + 1, end);
  return inner.length ? { kind: 'argv', argv: inner } : undefined;
}

/** Programs that run a program they read (a script on stdin, or code in an option). */
const SHELLS = new Set([
  'sh',
  'bash',
  'dash',
  'zsh',
  'ksh',
  'mksh',
  'ash',
  'fish',
  'csh',
  'tcsh',
  'rbash',
]);
const CODE_OPTION: Record<string, string[]> = {
  python: ['-c'],
  perl: ['-e', '-E'],
  ruby: ['-e'],
  node: ['-e', '--eval', '-p', '--print'],
  nodejs: ['-e', '--eval', '-p', '--print'],
  php: ['-r'],
  lua: ['-e'],
  tclsh: [],
  expect: ['-c'],
  at: [],
  batch: [],
};

/** `python3.11` → `python`; other names unchanged. */
function interpreterFamily(name: string): string {
  const m = /^(python|perl|ruby|lua|php)[0-9.]*$/.exec(name);
  return m ? m[1] : name;
}

/** What an interpreter invocation runs. */
export type InterpreterUse =
  /** Reads its program from standard input (`sh`, `python -`, `at now`). */
  | { kind: 'stdin' }
  /** Runs a shell command string given inline (`bash -c '…'`). */
  | { kind: 'shell'; source: string }
  /** Runs code of another language given inline (`python -c`, `perl -e`, awk with system()). */
  | { kind: 'code'; code: string }
  /** Runs a script file or starts interactively: not itself hidden code. */
  | { kind: 'file' };

/** How `argv` uses an interpreter; undefined when argv[0] is none. */
export function interpreterUse(argv: string[]): InterpreterUse | undefined {
  const name = interpreterFamily(argv[0]);
  if (SHELLS.has(name)) {
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i];
      if (
        a === '-c' ||
        (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(a) && !a.startsWith('--'))
      ) {
        return { kind: 'shell', source: argv[i + 1] ?? '' };
      }
      if (a === '-s' || a === '-') return { kind: 'stdin' };
      if (
        a === '-o' ||
        a === '+o' ||
        a === '-O' ||
        a === '+O' ||
        a === '--rcfile' ||
        a === '--init-file'
      ) {
        i++;
        continue;
      }
      if (a.startsWith('-') || a.startsWith('+')) continue;
      return { kind: 'file' };
    }
    return { kind: 'stdin' };
  }
  if (/^[gmn]?awk$/.test(name)) {
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i];
      if (a === '-f' || a.startsWith('--file')) return { kind: 'file' };
      if (a === '-v' || a === '-F') {
        i++;
        continue;
      }
      if (a.startsWith('-')) continue;
      // awk programs run commands through system(), pipes and getline
      return /system\s*\(|\|\s*getline|print[^;}]*\|/.test(a)
        ? { kind: 'code', code: a }
        : { kind: 'file' };
    }
    return { kind: 'file' };
  }
  const codeOptions = CODE_OPTION[name];
  if (!codeOptions) return undefined;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (codeOptions.includes(a))
      return { kind: 'code', code: argv[i + 1] ?? '' };
    if (a === '-') return { kind: 'stdin' };
    if (a.startsWith('-')) continue;
    // at/batch take a time, then read the commands from stdin
    if (name === 'at' || name === 'batch') return { kind: 'stdin' };
    return { kind: 'file' };
  }
  return { kind: 'stdin' };
}

/** Programs that decode data (`base64 -d`): their output piped on is hidden content. */
export function decodes(argv: string[]): boolean {
  const [name, ...args] = argv;
  if (['base64', 'base32', 'basenc'].includes(name)) {
    return args.some(a => a === '--decode' || /^-[a-zA-Z]*[dD]/.test(a));
  }
  if (name === 'xxd') return args.some(a => /^-[a-zA-Z]*r/.test(a));
  if (name === 'openssl')
    return args.includes('-d') || args.includes('-base64');
  return [
    'uudecode',
    'gunzip',
    'zcat',
    'bunzip2',
    'bzcat',
    'xzcat',
    'unxz',
    'rev',
  ].includes(name);
}

/** The alternate-screen or line-reading programs started at the prompt (vim, less, mysql…). */
const INTERACTIVE = new Set([
  'vi',
  'vim',
  'nvim',
  'view',
  'vimdiff',
  'nano',
  'pico',
  'emacs',
  'mcedit',
  'joe',
  'mg',
  'less',
  'more',
  'most',
  'man',
  'info',
  'top',
  'htop',
  'atop',
  'btop',
  'iotop',
  'iftop',
  'nmon',
  'glances',
  'mc',
  'ncdu',
  'tmux',
  'screen',
  'watch',
  'nmtui',
  'alsamixer',
  'tig',
  'mysql',
  'mariadb',
  'psql',
  'sqlite3',
  'redis-cli',
  'mongo',
  'mongosh',
  'python',
  'ipython',
  'node',
  'irb',
  'lua',
  'ghci',
  'bc',
  'ftp',
  'sftp',
  'telnet',
  'crontab',
  'visudo',
  'vipw',
  'sudoedit',
]);

/** True for programs that own the terminal while they run (editors, pagers, REPLs). */
export function isInteractiveProgram(name: string): boolean {
  return INTERACTIVE.has(interpreterFamily(name));
}
