import type { ConfigKind, ConfigSet } from '@opsdeck/plugin-config-common';
import { shellQuote } from '@opsdeck/plugin-remote-node';
import { createHash } from 'node:crypto';

/**
 * Default validation per kind, run on the host in a staged copy of the
 * set's stage root: `$STAGED` is the new file there, `$STAGE_ROOT` the copy.
 */
export const DEFAULT_VALIDATE: Record<ConfigKind, string | undefined> = {
  // the staged tree mirrors relative includes (they resolve from the -c file's directory)
  nginx: 'nginx -t -q -e /dev/stderr -c "$STAGED"',
  // Redis loads the whole file, then refuses to run without a listener: "not
  // listen anywhere" proves the configuration was accepted; a bad directive or
  // value is a FATAL CONFIG FILE ERROR before that.
  redis: [
    'out=$(cd "$STAGE_ROOT" && redis-server "$STAGED" --port 0 --unixsocket "" --daemonize no --logfile "" --pidfile "" --save "" --appendonly no --dir "$STAGE_ROOT" 2>&1)',
    'case "$out" in *"not listen anywhere"*) exit 0 ;; esac',
    'printf "%s\\n" "$out" | grep -v "^[0-9]*:[CM] " >&2',
    'exit 1',
  ].join('\n'),
  text: undefined,
  json: undefined,
  yaml: undefined,
};

/** Default reload per kind (redis: computed per push, see redisHotApply). */
export const DEFAULT_RELOAD: Record<ConfigKind, string | undefined> = {
  nginx: 'nginx -s reload -e /dev/stderr -c "$TARGET"',
  redis: undefined,
  text: undefined,
  json: undefined,
  yaml: undefined,
};

export function validateCommandOf(set: ConfigSet): string | undefined {
  return set.validateCommand ?? DEFAULT_VALIDATE[set.kind];
}

const SPACE = ' \t\n\r\f\v';
const HEX = /^[0-9a-fA-F]{2}$/;
const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  a: '\x07',
};

/**
 * Splits a redis.conf line into arguments as redis does (sdssplitargs:
 * "double quotes" with \n \r \t \b \a \xHH and \<char> escapes, 'single
 * quotes' with \'); undefined where redis refuses the line (a quote left
 * open, or a closing quote not followed by a space).
 */
export function redisArgs(line: string): string[] | undefined {
  const args: string[] = [];
  let i = 0;
  const at = (j: number) => (j < line.length ? line[j] : '');
  for (;;) {
    while (i < line.length && SPACE.includes(line[i])) i++;
    if (i >= line.length) return args;
    let arg = '';
    let quote: '"' | "'" | undefined;
    for (let done = false; !done; ) {
      const c = at(i);
      if (quote === '"') {
        if (
          c === '\\' &&
          at(i + 1) === 'x' &&
          HEX.test(line.slice(i + 2, i + 4))
        ) {
          arg += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === '\\' && at(i + 1)) {
          i++;
          arg += ESCAPES[line[i]] ?? line[i];
        } else if (c === '"') {
          if (at(i + 1) && !SPACE.includes(at(i + 1))) return undefined;
          done = true;
        } else if (!c) return undefined;
        else arg += c;
      } else if (quote === "'") {
        if (c === '\\' && at(i + 1) === "'") {
          i++;
          arg += "'";
        } else if (c === "'") {
          if (at(i + 1) && !SPACE.includes(at(i + 1))) return undefined;
          done = true;
        } else if (!c) return undefined;
        else arg += c;
      } else if (!c || ' \n\r\t'.includes(c)) done = true;
      else if (c === '"' || c === "'") quote = c;
      else arg += c;
      if (c) i++;
    }
    args.push(arg);
  }
}

/**
 * A redis.conf as directive → value (repeated directives such as `save`
 * joined with spaces, as CONFIG SET takes them). Keys are lower case.
 */
export function parseRedisConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    // a line redis refuses never reaches a running server (validation)
    const [key, ...rest] = redisArgs(line) ?? [];
    if (!key) continue;
    const k = key.toLowerCase();
    const value = rest.join(' ');
    out.set(k, out.has(k) ? `${out.get(k)} ${value}` : value);
  }
  return out;
}

/**
 * Directives whose change the running server cannot take (they need a
 * restart): not CONFIG SET parameters at all (`include`, `user`, …), and
 * those Redis 7 refuses as immutable or protected (`dir`, `dbfilename`).
 */
const NOT_HOT = new Set([
  'include',
  'loadmodule',
  'rename-command',
  'user',
  'daemonize',
  'supervised',
  'unixsocket',
  'unixsocketperm',
  'databases',
  'pidfile',
  'logfile',
  'dir',
  'dbfilename',
  'appendfilename',
  'appenddirname',
  'aclfile',
  'io-threads',
  'io-threads-do-reads',
  'tcp-backlog',
  'syslog-enabled',
  'syslog-ident',
  'syslog-facility',
  'cluster-enabled',
  'cluster-config-file',
  'cluster-port',
  'always-show-logo',
  'rdbchecksum',
  'set-proc-title',
  'disable-thp',
  'enable-protected-configs',
  'enable-debug-command',
  'enable-module-command',
]);

/**
 * Lines Redis 7's CONFIG REWRITE writes with their default values whatever
 * the file said: a rendering without them changes nothing (without this,
 * every push after a hot one would need a restart).
 */
const REWRITE_DEFAULTS = new Map([
  ['user', 'default on nopass ~* &* +@all'],
  ['latency-tracking-info-percentiles', '50 99 99.9'],
]);

/** What changes between two redis configs, as CONFIG SET pairs; `restart` lists what cannot be applied hot. */
export function redisChanges(
  before: string,
  after: string,
): { set: Array<[string, string]>; restart: string[] } {
  const a = parseRedisConfig(before);
  const b = parseRedisConfig(after);
  const set: Array<[string, string]> = [];
  const restart: string[] = [];
  for (const [k, v] of b) {
    if (a.get(k) === v) continue;
    if (NOT_HOT.has(k)) restart.push(k);
    else set.push([k, v]);
  }
  // with a requirepass, CONFIG REWRITE writes the default user with its hash
  const pass = a.get('requirepass');
  const hashed =
    pass === undefined
      ? undefined
      : `default on #${createHash('sha256')
          .update(pass, 'utf8')
          .digest('hex')} ~* &* +@all`;
  for (const [k, v] of a) {
    if (b.has(k) || REWRITE_DEFAULTS.get(k) === v) continue;
    if (k === 'user' && v === hashed) continue;
    restart.push(k);
  }
  return { set, restart };
}

/**
 * Directives holding a password. Their values are read on the host from the
 * file and given to redis-cli on its standard input, never written into a
 * script (a script is a command line on the host, seen in /proc/PID/cmdline).
 */
const SECRET_DIRECTIVES = new Set([
  'requirepass',
  'masterauth',
  'tls-key-file-pass',
  'tls-client-key-file-pass',
]);

/**
 * Why the host could not read the passwords of a redis.conf as redis does
 * (undefined: it can): a line redis itself refuses (quotes), a password
 * directive without exactly one value, or a NUL byte (no environment
 * variable holds one).
 */
export function redisSecretsUnreadable(text: string): string | undefined {
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].replace(/^[ \t\r]+|[ \t\r]+$/g, '');
    if (!line || line.startsWith('#')) continue;
    const args = redisArgs(line);
    if (!args) return `line ${n + 1}: quotes redis cannot read`;
    const key = args[0]?.toLowerCase() ?? '';
    if (!SECRET_DIRECTIVES.has(key)) continue;
    if (args.length !== 2) return `line ${n + 1}: ${key} takes one value`;
    if (args[1].includes('\0')) return `line ${n + 1}: ${key} holds a NUL byte`;
  }
  return undefined;
}

/**
 * An awk program printing the value of the last `key` directive of the
 * redis.conf on its input, as redis reads it (redisArgs), followed by a dot
 * (a command substitution would drop trailing newlines); exit 3 when there
 * is none, 2 when redis could not read the file's lines. Run with LC_ALL=C
 * (bytes); POSIX awk, gawk and mawk alike.
 */
const AWK_DIRECTIVE = String.raw`
function splitargs(s, out,    n, i, L, c, d, h, l, arg, q, done) {
  n = 0; i = 1; L = length(s)
  for (;;) {
    while (i <= L && index(WS, substr(s, i, 1))) i++
    if (i > L) return n
    arg = ""; q = ""; done = 0
    while (!done) {
      c = i <= L ? substr(s, i, 1) : ""
      if (q == "\"") {
        h = substr(s, i + 2, 1); l = substr(s, i + 3, 1)
        if (c == "\\" && substr(s, i + 1, 1) == "x" && h != "" && l != "" && index(HX, h) && index(HX, l)) {
          arg = arg sprintf("%c", ((index(HX, h) - 1) % 16) * 16 + (index(HX, l) - 1) % 16); i += 3
        } else if (c == "\\" && i < L) {
          d = substr(s, ++i, 1)
          if (d == "n") d = "\n"; else if (d == "r") d = "\r"; else if (d == "t") d = "\t"
          else if (d == "b") d = "\010"; else if (d == "a") d = "\007"
          arg = arg d
        } else if (c == "\"") {
          if (i < L && !index(WS, substr(s, i + 1, 1))) return -1
          done = 1
        } else if (c == "") return -1
        else arg = arg c
      } else if (q == "'") {
        if (c == "\\" && substr(s, i + 1, 1) == "'") { i++; arg = arg "'" }
        else if (c == "'") {
          if (i < L && !index(WS, substr(s, i + 1, 1))) return -1
          done = 1
        } else if (c == "") return -1
        else arg = arg c
      } else if (c == "" || index(" \n\r\t", c)) done = 1
      else if (c == "\"" || c == "'") q = c
      else arg = arg c
      if (c != "") i++
    }
    out[++n] = arg
  }
}
BEGIN { WS = " \t\n\r\f\013"; HX = "0123456789abcdef0123456789ABCDEF" }
{
  sub(/^[ \t\r]+/, ""); sub(/[ \t\r]+$/, "")
  if ($0 == "" || substr($0, 1, 1) == "#") next
  n = splitargs($0, a)
  if (n < 0) { bad = 1; exit }
  if (tolower(a[1]) != key) next
  if (n != 2) { bad = 1; exit }
  v = a[2]; found = 1
}
END { if (bad) exit 2; if (!found) exit 3; printf "%s.", v }
`;

/**
 * Shell functions reaching a redis server with the password it asks for:
 * `cli` runs redis-cli against the server; `auth` picks, among the
 * `requirepass` of `$TARGET.opsdeck-prev` (the file the server ran, when
 * there is one), of `$TARGET`, and none, the first with which PING answers
 * PONG and exports it as REDISCLI_AUTH (redis-cli reads the password there:
 * it is never on a command line; without `withPrevious` only `$TARGET`'s);
 * `clean` withholds an answer that contains
 * a password; `rconf FILE KEY` prints a directive's value (AWK_DIRECTIVE).
 */
function redisCliShell(cli: string, withPrevious = true): string[] {
  return [
    'set -u',
    `cli() { ${cli} "$@" 2>&1; }`,
    `rconf_awk=${shellQuote(AWK_DIRECTIVE)}`,
    'rconf() { [ -f "$1" ] || return 3; LC_ALL=C awk -v key="$2" -- "$rconf_awk" < "$1"; }',
    // a password file redis cannot read is refused, never guessed at
    'load() { v=$(rconf "$1" requirepass); rc=$?; [ "$rc" = 0 ] && return 0; v=; [ "$rc" = 3 ] && return 3; echo "cannot read requirepass in $1 as redis does (quotes?): refused" >&2; exit 1; }',
    withPrevious
      ? 'h1=0; p1=; if load "$TARGET.opsdeck-prev"; then h1=1; p1=${v%.}; fi'
      : 'h1=0; p1=',
    'h2=0; p2=; if load "$TARGET"; then h2=1; p2=${v%.}; fi',
    'clean() { r=$1; for q in "$p1" "$p2"; do if [ -n "$q" ]; then case "$r" in *"$q"*) r="(answer withheld: it contains a password)" ;; esac; fi; done; printf "%s" "$r"; }',
    [
      'auth() {',
      '  for c in 1 2 0; do',
      '    case $c in',
      '      1) [ "$h1" = 1 ] || continue; REDISCLI_AUTH=$p1; export REDISCLI_AUTH ;;',
      '      2) [ "$h2" = 1 ] || continue; REDISCLI_AUTH=$p2; export REDISCLI_AUTH ;;',
      '      *) unset REDISCLI_AUTH ;;',
      '    esac',
      '    out=$(cli PING); [ "$out" = PONG ] && return 0',
      '  done',
      '  echo "redis PING: no PONG with the requirepass of $TARGET.opsdeck-prev or of $TARGET, nor without a password:" "$(clean "$out")" >&2',
      '  exit 1',
      '}',
    ].join('\n'),
  ];
}

/** redis-cli reaching the server a config describes (its unixsocket, else its port on loopback). */
function redisCliOf(config: string): string {
  const c = parseRedisConfig(config);
  const socket = c.get('unixsocket');
  return socket
    ? `redis-cli -s ${shellQuote(socket)}`
    : `redis-cli -h 127.0.0.1 -p ${shellQuote(c.get('port') || '6379')}`;
}

const refusal = (why: string) => `echo ${shellQuote(why)} >&2; exit 1`;

/**
 * The shell script applying a redis config change to the running server:
 * CONFIG SET per changed directive, then CONFIG REWRITE (the server rewrites
 * the file it was started with so it and the running config agree). The
 * server is reached as the running config says (unixsocket, else port on
 * loopback), before each call with the password it asks for (redisCliShell;
 * after a hot `requirepass` change, the new one). A password directive's new
 * value is read from `$TARGET` on the host and given on redis-cli's standard
 * input (-x): no password is ever part of the script. Exits 1 naming the
 * first directive the server refuses, or (before anything is set) those
 * that need a restart, with `hint`. With `revert` (going back after a failed
 * push; `$TARGET` is the previous file again and `$TARGET.opsdeck-prev` the
 * failed one, see HostAgent.restore, removed when done) directives that need
 * a restart are left out: the forward push never applied them.
 */
export function redisHotApply(
  before: string,
  after: string,
  options: { revert?: boolean; hint?: string } = {},
): string {
  const { set, restart } = redisChanges(before, after);
  // A revert puts back what was set hot; what needed a restart was never applied.
  if (restart.length > 0 && !options.revert) {
    const hint = options.hint ? ` (${options.hint})` : '';
    return refusal(
      `needs a restart, not applied hot: ${restart.join(', ')}${hint}`,
    );
  }
  const unreadable =
    redisSecretsUnreadable(before) ?? redisSecretsUnreadable(after);
  if (unreadable) {
    return refusal(
      `cannot read the passwords of the redis config as redis does (${unreadable}): not applied`,
    );
  }
  const lines = redisCliShell(redisCliOf(before));
  if (options.revert)
    lines.push('trap \'rm -f -- "$TARGET.opsdeck-prev"\' EXIT');
  const step = (what: string, call: string) =>
    lines.push(
      `auth; out=$(${call}); [ "$out" = OK ] || { echo ${shellQuote(
        `${what}:`,
      )} "$(clean "$out")" >&2; exit 1; }`,
    );
  for (const [k, v] of set) {
    if (SECRET_DIRECTIVES.has(k)) {
      lines.push(
        `v=$(rconf "$TARGET" ${shellQuote(k)}) || { echo ${shellQuote(
          `cannot read ${k} in`,
        )} "$TARGET" >&2; exit 1; }`,
      );
      step(
        `CONFIG SET ${k}`,
        `printf '%s' "\${v%.}" | cli -x CONFIG SET ${shellQuote(k)}`,
      );
    } else {
      step(
        `CONFIG SET ${k}`,
        `cli CONFIG SET ${shellQuote(k)} ${shellQuote(v)}`,
      );
    }
  }
  step('CONFIG REWRITE', 'cli CONFIG REWRITE');
  return lines.join('\n');
}

/**
 * A PING of the redis server a config file describes, the file being
 * `$TARGET` on the host. With a `requirepass` there (read on the host, given
 * to redis-cli as REDISCLI_AUTH) only PONG passes: the server answers with
 * that file's password. Without one, PONG or a NOAUTH refusal passes: the
 * server answers, its password being set elsewhere (ACL `user` lines, an
 * aclfile, an include) which this does not read.
 */
export function redisPing(config: string): string {
  const unreadable = redisSecretsUnreadable(config);
  if (unreadable) {
    return refusal(
      `redis PING: cannot read the requirepass of the redis config as redis does (${unreadable})`,
    );
  }
  return [
    ...redisCliShell(redisCliOf(config), false),
    'if [ "$h2" = 1 ]; then REDISCLI_AUTH=$p2; export REDISCLI_AUTH; out=$(cli PING); [ "$out" = PONG ] && exit 0',
    'else unset REDISCLI_AUTH; out=$(cli PING); case "$out" in PONG|NOAUTH*) exit 0 ;; esac; fi',
    `echo ${shellQuote('redis PING:')} "$(clean "$out")" >&2`,
    'exit 1',
  ].join('\n');
}
