import type { HostTarget } from '@opsdeck/plugin-cmdb-common';
import type { ConfigSet } from '@opsdeck/plugin-config-common';
import {
  withChangeApproval,
  type ApprovalAsk,
  type ChangeApprovalsService,
  type ChangeApprovalTicket,
  type ClaimedApproval,
} from '@opsdeck/plugin-tickets-node';
import type { Caller } from './ConfigService';

/** The change ran: a ticket was not asked for (a caller that never asks). */
export function ran<T extends object>(
  outcome: Gated<T>,
): T & { approval?: ClaimedApproval } {
  if (outcome.requested) throw new Error('A change approval was asked for');
  return outcome as T & { approval?: ClaimedApproval };
}

/** A change that ran (with the approval it claimed, if any) or a ticket opened instead. */
export type Gated<T> =
  | (T & { approval?: ClaimedApproval; requested?: undefined })
  | { requested: ChangeApprovalTicket };

/**
 * What the prod gate decided: run (with the claimed approval, if one was
 * needed, and what `prepare` made) or a ticket opened.
 */
export type GateOutcome<P = undefined> =
  | { run: true; approval?: ClaimedApproval; prepared: P }
  | { run: false; requested: ChangeApprovalTicket };

/** The change-approval target of a config set (an entity-ref-shaped name). */
export function setTarget(set: Pick<ConfigSet, 'name'>): string {
  return `config-set:default/${set.name}`;
}

/**
 * The prod rule of releases, rollbacks and adoptions: a caller with
 * opsdeck.config.push.prod runs; one without it runs only with a ticket
 * that approves exactly this change (`change`, digest-compared by the
 * tickets plugin), claimed once; or opens such a ticket; or is refused with
 * ApprovalRequiredError (403, `approvalRequired`): tickets-node's
 * withChangeApproval.
 *
 * `prepare` is what may still refuse the change before it acts (reading
 * facts, taking vault secrets out): it runs before the ticket is claimed, so
 * a change refused there leaves the approval unused (the approver need not
 * approve again). It runs only for a change about to run: never for one that
 * only opens a ticket, or is refused for want of one.
 */
export async function prodGate<P = undefined>(options: {
  approvals?: ChangeApprovalsService;
  caller: Caller;
  hosts: HostTarget[];
  set: ConfigSet;
  ask: ApprovalAsk;
  /** The change as it will run: everything that decides what lands where. */
  change: Record<string, unknown>;
  summary: string;
  what?: string;
  prepare?: () => Promise<P>;
}): Promise<GateOutcome<P>> {
  const { caller, hosts, ask, approvals } = options;
  const prepare = options.prepare ?? (async () => undefined as unknown as P);
  const prod = hosts.filter(h => h.environment === 'prod');
  // nothing to approve: a ticket is not used up by a change that needs none
  if (prod.length === 0 || caller.mayPushProd) {
    return { run: true, prepared: await prepare() };
  }
  const names = [...new Set(prod.map(h => h.name))].join(', ');
  const why = `${
    options.what ?? 'Pushing to'
  } prod hosts (${names}) needs opsdeck.config.push.prod`;
  // about to claim a ticket: first what may still refuse the change
  const prepared =
    approvals && ask.approvalTicket ? await prepare() : undefined;
  const outcome = await withChangeApproval({
    approvals,
    ask,
    kind: 'config-release',
    target: setTarget(options.set),
    change: options.change,
    summary: options.summary,
    credentials: caller.credentials,
    refusal: why,
    requiredMessage: `${why}, or a change approval: ask for one (requestApproval) and run with the approved ticket (approvalTicket)`,
  });
  if (!outcome.run) return outcome;
  return { ...outcome, prepared: prepared as P };
}
