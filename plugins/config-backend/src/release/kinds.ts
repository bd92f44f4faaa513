import type { ConfigKind, ConfigSet } from '@opsdeck/plugin-config-common';
import { shellQuote } from '@opsdeck/plugin-remote-node';

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

/** Splits a redis.conf line into arguments (double and single quotes, backslash escapes in double quotes). */
export function redisArgs(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) break;
    let arg = '';
    const q = line[i];
    if (q === '"' || q === "'") {
      i++;
      while (i < line.length && line[i] !== q) {
        if (q === '"' && line[i] === '\\' && i + 1 < line.length) i++;
        arg += line[i++];
      }
      i++;
    } else {
      while (i < line.length && !/\s/.test(line[i])) arg += line[i++];
    }
    args.push(arg);
  }
  return args;
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
    const [key, ...rest] = redisArgs(line);
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
  for (const [k, v] of a) {
    if (!b.has(k) && REWRITE_DEFAULTS.get(k) !== v) restart.push(k);
  }
  return { set, restart };
}

/**
 * The shell script applying a redis config change to the running server:
 * CONFIG SET per changed directive, then CONFIG REWRITE (the server rewrites
 * the file it was started with so it and the running config agree). The
 * server is reached as the running config says (unixsocket, else port on
 * loopback). Exits 1 naming the first directive the server refuses, or
 * (before anything is set) those that need a restart, with `hint`. With
 * `revert` (going back after a failed push) directives that need a restart
 * are left out: the forward push never applied them.
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
    return `echo ${shellQuote(
      `needs a restart, not applied hot: ${restart.join(', ')}${hint}`,
    )} >&2; exit 1`;
  }
  const running = parseRedisConfig(before);
  const socket = running.get('unixsocket');
  const port = running.get('port') || '6379';
  const cli = socket
    ? `redis-cli -s ${shellQuote(socket)}`
    : `redis-cli -h 127.0.0.1 -p ${shellQuote(port)}`;
  const lines = ['set -u', `cli() { ${cli} "$@" 2>&1; }`];
  for (const [k, v] of [...set, ['__rewrite__', '']]) {
    const call =
      k === '__rewrite__'
        ? 'cli CONFIG REWRITE'
        : `cli CONFIG SET ${shellQuote(k)} ${shellQuote(v)}`;
    const what = k === '__rewrite__' ? 'CONFIG REWRITE' : `CONFIG SET ${k}`;
    lines.push(
      `out=$(${call}); [ "$out" = OK ] || { echo ${shellQuote(
        `${what}:`,
      )} "$out" >&2; exit 1; }`,
    );
  }
  return lines.join('\n');
}
