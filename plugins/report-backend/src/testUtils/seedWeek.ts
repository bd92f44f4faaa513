// audit-node owns the table; its store writes rows the way the auditor does.
import type {
  DatabaseAuditStore,
  NewAuditEvent,
} from '@opsdeck/plugin-audit-node';
import { ReportWeek } from '../schedule/period';

/** Hosts of the seeded bastion sessions; the first two are prod. */
export const SEED_HOSTS = {
  prod: ['resource:default/pay-app-01', 'resource:default/gw-01'],
  other: ['resource:default/web-02', 'resource:default/build-01'],
};

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'].map(
  u => `user:default/${u}`,
);
const DOCS = [
  'component:default/payments-api',
  'component:default/opsdeck',
  'component:default/api-gateway',
];
const OWNERS: Record<string, string> = {
  'component:default/payments-api': 'group:default/dev',
  'component:default/opsdeck': 'group:default/admins',
  'component:default/api-gateway': 'group:default/ops',
};

/** A small deterministic random generator (mulberry32). */
export function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Draft = Omit<
  NewAuditEvent,
  'occurredAt' | 'severity' | 'outcome' | 'via' | 'target'
> & {
  target?: string;
};

/**
 * One audit event of the kinds the report reads, and kinds it must not
 * count (failed requests, comments, tickets that already existed, sessions on
 * non-prod hosts), as the plugins report them.
 */
function draft(rnd: () => number, i: number): Draft {
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const actor = rnd() < 0.1 ? 'plugin:jobs' : pick(USERS);
  const ok = rnd() < 0.85;
  const status = ok ? ('succeeded' as const) : ('failed' as const);
  switch (i % 12) {
    case 0:
      return {
        plugin: 'sql',
        action: 'sql-change-execute',
        status,
        actor,
        meta: {
          changeId: String(i),
          status: pick(['executed', 'failed']),
          instanceRef: 'resource:default/pay-db-main',
        },
      };
    case 1:
      return {
        plugin: 'sql',
        action: 'sql-change-rollback',
        status,
        actor,
        meta: { changeId: String(i) },
      };
    case 2:
      return {
        plugin: 'files',
        action: 'file-distribute',
        status,
        actor,
        meta: {
          fileId: `f${i}`,
          distributionId: `d${i}`,
          name: 'nginx.conf',
          targetPath: '/etc/nginx/nginx.conf',
        },
      };
    case 3:
      return {
        plugin: 'cmdb',
        action: pick(['host-register', 'host-decommission']),
        status,
        actor,
        meta: { entityRef: `resource:default/h-${i}` },
      };
    case 4:
      return {
        plugin: 'bastion',
        action: 'session-open',
        status,
        actor,
        meta: {
          sessionId: `s${i}`,
          host: 'h',
          hostRef: pick([...SEED_HOSTS.prod, ...SEED_HOSTS.other]),
          loginUser: 'ops',
        },
      };
    case 5:
      return {
        plugin: 'bastion',
        action: 'grant-create',
        status,
        actor,
        meta: { subject: pick(USERS), loginUser: 'ops' },
      };
    case 6:
      return {
        plugin: 'tickets',
        action: 'ticket-submit',
        status,
        actor,
        meta: { ticketId: i, created: rnd() < 0.8, key: `k${i}` },
      };
    case 7:
      return {
        plugin: 'tickets',
        action: 'ticket-state',
        status,
        actor,
        meta: { ticketId: i, to: pick(['done', 'failed', 'fulfilling']) },
      };
    case 8:
      return {
        plugin: 'tickets',
        action: 'ticket-decide',
        status,
        actor,
        meta: {
          ticketId: i,
          to: pick(['rejected', 'approved', 'awaiting_approval']),
        },
      };
    case 9:
      return {
        plugin: 'tickets',
        action: pick(['ticket-expire', 'ticket-comment']),
        status,
        actor,
        meta: { ticketId: i },
      };
    case 10: {
      const entityRef = pick(DOCS);
      return {
        plugin: 'techdocs',
        action: 'docs-build',
        status,
        actor: 'plugin:techdocs',
        meta: {
          entityRef,
          owner: OWNERS[entityRef],
          new: rnd() < 0.3,
          pages: 3,
        },
      };
    }
    default:
      // the same action name from a plugin the report does not count
      return {
        plugin: pick(['catalog', 'scaffolder']),
        action: pick(['session-open', 'entity-mutate']),
        status,
        actor,
        meta: { hostRef: SEED_HOSTS.prod[0] },
      };
  }
}

/**
 * Seeds `count` audit events over the week and a day either side of it (so
 * the edges of the week are tested). Returns how many fall inside the week.
 */
export async function seedAuditWeek(
  store: DatabaseAuditStore,
  week: ReportWeek,
  count: number,
  seed = 19,
): Promise<number> {
  const rnd = random(seed);
  const from = week.from.getTime() - 86_400_000;
  const span = week.to.getTime() + 86_400_000 - from;
  let inside = 0;
  for (let i = 0; i < count; i++) {
    // events exactly at the week's start and end, too
    let at: number;
    if (i === 0) at = week.from.getTime();
    else if (i === 1) at = week.to.getTime();
    else at = from + Math.floor(rnd() * span);
    if (at >= week.from.getTime() && at < week.to.getTime()) inside += 1;
    const d = draft(rnd, i);
    await store.insert({
      ...d,
      occurredAt: new Date(at),
      severity: 'medium',
      outcome: d.status === 'succeeded' ? 'success' : 'failed',
      via: [],
      target: d.target ?? '',
    });
  }
  return inside;
}
