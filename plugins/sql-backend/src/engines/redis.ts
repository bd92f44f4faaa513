import type { createClient } from '@redis/client';
import type { ConnectionTarget, SlowQuery } from './types';

/** Commands that are refused outright, with the reason shown to the user. */
export const REDIS_DANGEROUS_COMMANDS: Record<string, string> = {
  FLUSHALL: 'deletes every key of every database',
  FLUSHDB: 'deletes every key of the database',
  KEYS: 'blocks the server while it walks every key; use SCAN',
  CONFIG: 'changes or reveals server configuration',
  SHUTDOWN: 'stops the server',
  DEBUG: 'can crash or block the server',
  SAVE: 'blocks the server while it writes a snapshot',
  BGSAVE: 'starts a snapshot of the whole dataset',
  BGREWRITEAOF: 'rewrites the append-only file',
  MONITOR: 'streams every command of every client',
  SLAVEOF: 'changes replication',
  REPLICAOF: 'changes replication',
  MIGRATE: 'moves keys to another server',
  CLUSTER: 'changes the cluster',
  SCRIPT: 'loads or kills server-side scripts',
  EVAL: 'runs arbitrary server-side scripts',
  EVALSHA: 'runs arbitrary server-side scripts',
  FUNCTION: 'loads server-side functions',
  MODULE: 'loads native code into the server',
  ACL: 'changes users and permissions',
  CLIENT: 'can kill other clients',
  SWAPDB: 'swaps whole databases',
};

/** Read-only commands the console accepts; anything else is refused. */
export const REDIS_READ_COMMANDS = new Set([
  'GET',
  'MGET',
  'STRLEN',
  'GETRANGE',
  'EXISTS',
  'TYPE',
  'TTL',
  'PTTL',
  'HGET',
  'HMGET',
  'HGETALL',
  'HKEYS',
  'HVALS',
  'HLEN',
  'HEXISTS',
  'HSCAN',
  'LRANGE',
  'LLEN',
  'LINDEX',
  'SMEMBERS',
  'SCARD',
  'SISMEMBER',
  'SSCAN',
  'ZRANGE',
  'ZRANGEBYSCORE',
  'ZREVRANGE',
  'ZCARD',
  'ZSCORE',
  'ZRANK',
  'ZSCAN',
  'SCAN',
  'DBSIZE',
  'INFO',
  'PING',
  'OBJECT',
  'MEMORY',
  'XRANGE',
  'XLEN',
  'SLOWLOG',
]);

/** Splits a console line into arguments, honouring double and single quotes. */
export function splitRedisCommand(line: string): string[] {
  const args: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (m[1] !== undefined) args.push(m[1].replace(/\\(.)/g, '$1'));
    else if (m[2] !== undefined) args.push(m[2]);
    else args.push(m[3]);
  }
  return args;
}

/** Why a command is refused, or undefined when the console may run it. */
export function redisRefusal(args: string[]): string | undefined {
  if (args.length === 0) return 'empty command';
  const name = args[0].toUpperCase();
  if (REDIS_DANGEROUS_COMMANDS[name]) {
    return `${name} is refused: it ${REDIS_DANGEROUS_COMMANDS[name]}`;
  }
  if (!REDIS_READ_COMMANDS.has(name)) {
    return `${name} is not a read-only command; changes go through a reviewed change`;
  }
  if (name === 'SLOWLOG' && String(args[1]).toUpperCase() !== 'GET') {
    return 'only SLOWLOG GET is allowed';
  }
  return undefined;
}

function toText(reply: unknown): unknown {
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  if (Array.isArray(reply)) return reply.map(toText);
  if (reply === null || reply === undefined) return null;
  return typeof reply === 'object' ? JSON.stringify(reply) : reply;
}

async function withRedis<T>(
  target: ConnectionTarget,
  fn: (client: ReturnType<typeof createClient>) => Promise<T>,
): Promise<T> {
  // required at first use: start-up does not pay for a driver nobody has used yet (#15)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const redis = require('@redis/client') as typeof import('@redis/client');
  const client = redis.createClient({
    socket: {
      host: target.host,
      port: target.port,
      connectTimeout: 10_000,
      reconnectStrategy: false,
    },
    password: target.password,
    username:
      target.user && target.user !== 'default' ? target.user : undefined,
    database: target.database ? Number(target.database) : undefined,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.quit().catch(() => client.disconnect().catch(() => undefined));
  }
}

/** Runs one console command; refused commands never reach the server. */
export async function runRedisCommand(
  target: ConnectionTarget,
  args: string[],
): Promise<unknown> {
  const refusal = redisRefusal(args);
  if (refusal) throw new Error(refusal);
  return withRedis(target, async client =>
    toText(await client.sendCommand(args)),
  );
}

export async function redisVersion(target: ConnectionTarget): Promise<string> {
  return withRedis(target, async client => {
    const info = String(await client.sendCommand(['INFO', 'server']));
    return `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}`;
  });
}

/** SLOWLOG grouped by command name and key count. */
export async function redisSlowQueries(
  target: ConnectionTarget,
  limit: number,
): Promise<SlowQuery[]> {
  return withRedis(target, async client => {
    const entries = (await client.sendCommand([
      'SLOWLOG',
      'GET',
      '1000',
    ])) as any[];
    const groups = new Map<string, { calls: number; totalMs: number }>();
    for (const e of entries ?? []) {
      const args = (e[3] as unknown[]).map(a => String(toText(a)));
      const key = [
        args[0]?.toUpperCase(),
        ...args.slice(1).map(() => '?'),
      ].join(' ');
      const g = groups.get(key) ?? { calls: 0, totalMs: 0 };
      g.calls++;
      g.totalMs += Number(e[2]) / 1000;
      groups.set(key, g);
    }
    return [...groups.entries()]
      .map(([statement, g]) => ({
        statement,
        calls: g.calls,
        totalMs: g.totalMs,
        meanMs: g.totalMs / g.calls,
      }))
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, limit);
  });
}
