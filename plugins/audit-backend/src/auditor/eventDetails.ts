/** How an audited action ended, as the Audit page filters it. */
export type AuditOutcome = 'success' | 'denied' | 'failed';

/** A failure is a denial when it is a refusal of permission (HTTP 403). */
export function outcomeOf(
  status: 'succeeded' | 'failed',
  error?: unknown,
): AuditOutcome {
  if (status === 'succeeded') return 'success';
  return (error as Error)?.name === 'NotAllowedError' ? 'denied' : 'failed';
}

/** Meta keys that are never persisted (at any depth). */
export const SECRET_KEY_PATTERN = /password|secret|token|key|credential/i;

/**
 * A copy of meta without secret-like keys, at any depth. Values that cannot
 * be JSON (functions, symbols, cycles) are dropped.
 */
export function sanitizeMeta(
  meta: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const seen = new WeakSet<object>();
  const clean = (value: unknown, depth: number): unknown => {
    if (value === null || typeof value !== 'object') {
      return typeof value === 'function' ||
        typeof value === 'symbol' ||
        typeof value === 'bigint'
        ? undefined
        : value;
    }
    if (seen.has(value) || depth > 20) {
      return undefined;
    }
    seen.add(value);
    if (value instanceof Date) {
      return value.toISOString();
    }
    if (Array.isArray(value)) {
      return value.map(v => clean(v, depth + 1) ?? null);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_KEY_PATTERN.test(k)) continue;
      const c = clean(v, depth + 1);
      if (c !== undefined) out[k] = c;
    }
    return out;
  };
  return (clean(meta ?? {}, 0) as Record<string, unknown>) ?? {};
}

// Meta fields that name what an event was done to, most specific first. These
// are the names the stock plugins use (catalog: entityRef, uid, location;
// scaffolder: templateRef, taskId; auth: userEntityRef).
const TARGET_KEYS = [
  'entityRef',
  'targetRef',
  'entity',
  'templateRef',
  'userEntityRef',
  'ref',
  'target',
];
const FALLBACK_KEYS = ['uid', 'taskId', 'location', 'id', 'name'];

/**
 * Ids in opsdeck plugins' meta that name what an event was about when no ref
 * does, most specific first: `<key>` becomes `<kind>:<id>`.
 */
const PLUGIN_ID_KEYS: Record<string, [key: string, kind: string][]> = {
  jobs: [
    ['scheduleId', 'job-schedule'],
    ['jobId', 'job'],
    ['runId', 'job-run'],
  ],
  sql: [['changeId', 'sql-change']],
  bastion: [
    ['grantId', 'bastion-grant'],
    ['ruleId', 'bastion-rule'],
    ['sessionId', 'bastion-session'],
  ],
  files: [
    ['distributionId', 'file-distribution'],
    ['fileId', 'file'],
    ['uploadId', 'file-upload'],
  ],
  tickets: [['ticketId', 'ticket']],
};

/**
 * What an event was done to, derived from its meta; empty when unknown.
 * `plugin` selects the plugin's own id keys (a run id of jobs, a change id of
 * sql) before the generic fallbacks.
 */
export function deriveTarget(
  meta: Record<string, unknown>,
  plugin?: string,
): string {
  for (const key of TARGET_KEYS) {
    const found = asTarget(meta[key]);
    if (found) return found;
  }
  for (const [key, value] of Object.entries(meta)) {
    if (/Ref$/.test(key)) {
      const found = asTarget(value);
      if (found) return found;
    }
  }
  for (const [key, kind] of PLUGIN_ID_KEYS[plugin ?? ''] ?? []) {
    const value = meta[key];
    if (
      (typeof value === 'string' && value) ||
      (typeof value === 'number' && Number.isFinite(value))
    ) {
      return `${kind}:${value}`;
    }
  }
  for (const key of FALLBACK_KEYS) {
    const found = asTarget(meta[key]);
    if (found) return found;
  }
  return '';
}

function asTarget(value: unknown): string | undefined {
  if (typeof value === 'string') return value || undefined;
  if (typeof value === 'number') return String(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, any>;
    // an entity: kind + metadata.name
    if (
      typeof obj.kind === 'string' &&
      typeof obj.metadata?.name === 'string'
    ) {
      const ns = obj.metadata.namespace ?? 'default';
      return `${obj.kind.toLocaleLowerCase('en-US')}:${ns}/${
        obj.metadata.name
      }`;
    }
    // a location: type + target
    if (typeof obj.type === 'string' && typeof obj.target === 'string') {
      return `${obj.type}:${obj.target}`;
    }
    if (typeof obj.entityRef === 'string') return obj.entityRef;
    if (typeof obj.id === 'string') return obj.id;
  }
  return undefined;
}
