import { Config } from '@backstage/config';
import type { MaskedFilterPolicy } from './model';
import {
  DEFAULT_MASKING_RULES,
  MaskKind,
  MaskingRule,
} from './console/masking';

export interface SqlConfig {
  limits: { maxRows: number; timeoutMs: number };
  maskingRules: MaskingRule[];
  /** Console queries that filter on masked columns: refused or run and audited. */
  maskedFilter: MaskedFilterPolicy;
  /** Approval levels added to destructive changes (DROP, TRUNCATE, DROP COLUMN ...). */
  destructiveApprovers: string[];
  /** How often the scheduler looks for scheduled changes that are due. */
  scheduleIntervalSeconds: number;
  slowQueries: {
    /** How often every instance's snapshot is refreshed. */
    refreshMinutes: number;
    /** Statements kept per instance. */
    top: number;
    /** Longest wait for one instance before its refresh counts as failed. */
    timeoutMs: number;
    /** How long earlier snapshots are kept. */
    historyMs: number;
  };
  execution: {
    /** How often an executing replica records that it is alive. */
    heartbeatMs: number;
    /** A change `executing` without a heartbeat for this long was interrupted. */
    staleAfterMs: number;
  };
}

function maskedFilterPolicy(value: string | undefined): MaskedFilterPolicy {
  if (value === undefined || value === 'refuse') return 'refuse';
  if (value === 'audit') return 'audit';
  throw new Error(
    `opsdeck.sql.masking.filterOnMasked must be refuse or audit, not '${value}'`,
  );
}

/**
 * `opsdeck.sql`: `console.maxRows` (default 1000), `console.timeoutSeconds`
 * (default 30), `masking.rules` (added to the built-in phone, ID number and
 * email rules): `[{ name, kind: phone|idcard|email|regex, columns?, pattern?, detectInValues? }]`,
 * `schedule.intervalSeconds` (default 10): how often due scheduled changes are looked for,
 * `slowQueries.refreshMinutes` (default 15), `slowQueries.top` (default 20),
 * `slowQueries.timeoutSeconds` (default 30), `slowQueries.historyDays` (default 7):
 * how long earlier snapshots are kept, `execution.heartbeatSeconds`
 * (default 30), `execution.staleAfterSeconds` (default 300),
 * `masking.filterOnMasked` (refuse | audit, default refuse),
 * `review.destructiveApprovers` (default [admins]): groups whose approval
 * destructive changes need after the instance's approvers.
 */
export function readSqlConfig(root: Config): SqlConfig {
  const c = root.getOptionalConfig('opsdeck.sql');
  const extra = (c?.getOptionalConfigArray('masking.rules') ?? []).map(r => {
    const kind = r.getString('kind') as MaskKind;
    if (!['phone', 'idcard', 'email', 'regex'].includes(kind)) {
      throw new Error(`opsdeck.sql.masking.rules: unknown kind '${kind}'`);
    }
    const pattern = r.getOptionalString('pattern');
    // fail at startup, not at query time
    if (pattern) RegExp(pattern);
    return {
      name: r.getString('name'),
      kind,
      columns: r.getOptionalString('columns'),
      pattern,
      detectInValues: r.getOptionalBoolean('detectInValues'),
    };
  });
  return {
    limits: {
      maxRows: c?.getOptionalNumber('console.maxRows') ?? 1000,
      timeoutMs: (c?.getOptionalNumber('console.timeoutSeconds') ?? 30) * 1000,
    },
    maskingRules: [...DEFAULT_MASKING_RULES, ...extra],
    maskedFilter: maskedFilterPolicy(
      c?.getOptionalString('masking.filterOnMasked'),
    ),
    destructiveApprovers: (
      c?.getOptionalStringArray('review.destructiveApprovers') ?? [
        'group:default/admins',
      ]
    ).map(g => (g.includes(':') ? g : `group:default/${g}`).toLowerCase()),
    scheduleIntervalSeconds:
      c?.getOptionalNumber('schedule.intervalSeconds') ?? 10,
    slowQueries: {
      refreshMinutes: c?.getOptionalNumber('slowQueries.refreshMinutes') ?? 15,
      top: c?.getOptionalNumber('slowQueries.top') ?? 20,
      timeoutMs:
        (c?.getOptionalNumber('slowQueries.timeoutSeconds') ?? 30) * 1000,
      historyMs:
        (c?.getOptionalNumber('slowQueries.historyDays') ?? 7) * 24 * 3600_000,
    },
    execution: {
      heartbeatMs:
        (c?.getOptionalNumber('execution.heartbeatSeconds') ?? 30) * 1000,
      staleAfterMs:
        (c?.getOptionalNumber('execution.staleAfterSeconds') ?? 300) * 1000,
    },
  };
}
