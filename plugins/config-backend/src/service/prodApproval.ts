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
  | { run: false; requested: ChangeApprovalTicket; prepared?: P };

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
 * facts, taking vault secrets out, rendering): it runs before the ticket is
 * claimed, so a change refused there leaves the approval unused (the
 * approver need not approve again); `claiming` tells it a ticket is about to
 * be claimed (it then checks everything that could still fail before the
 * first host, so a claimed ticket is spent only by a change that reached a
 * host). It runs only for a change about to run, or (when `change` is made
 * from what it prepared) one a ticket is opened for: never for one refused
 * for want of a ticket. `beforeClaim` runs after `prepare`, just before the
 * claim (a refusal there leaves the ticket unused too).
 */
export async function prodGate<P = undefined>(options: {
  approvals?: ChangeApprovalsService;
  caller: Caller;
  hosts: HostTarget[];
  set: ConfigSet;
  ask: ApprovalAsk;
  /**
   * The change as it will run: everything that decides what lands where;
   * or made from what `prepare` read (the approver sees what it binds).
   */
  change: Record<string, unknown> | ((prepared: P) => Record<string, unknown>);
  summary: string;
  what?: string;
  prepare?: (claiming: boolean) => Promise<P>;
  beforeClaim?: (ticketId: number, prepared: P) => Promise<void>;
}): Promise<GateOutcome<P>> {
  const { caller, hosts, ask, approvals } = options;
  const prepare =
    options.prepare ??
    (async (_claiming: boolean) => undefined as unknown as P);
  const prod = hosts.filter(h => h.environment === 'prod');
  // nothing to approve: a ticket is not used up by a change that needs none
  if (prod.length === 0 || caller.mayPushProd) {
    return { run: true, prepared: await prepare(false) };
  }
  const names = [...new Set(prod.map(h => h.name))].join(', ');
  const why = `${
    options.what ?? 'Pushing to'
  } prod hosts (${names}) needs opsdeck.config.push.prod`;
  const made = typeof options.change === 'function';
  // about to claim a ticket (or to open one for a change made from what
  // prepare reads): first what may still refuse the change
  let prepared: P | undefined;
  let ready = false;
  if (approvals && ask.approvalTicket) {
    prepared = await prepare(true);
    ready = true;
    await options.beforeClaim?.(ask.approvalTicket, prepared);
  } else if (approvals && ask.requestApproval && made) {
    prepared = await prepare(false);
    ready = true;
  }
  let change: Record<string, unknown> | null = null;
  if (typeof options.change !== 'function') change = options.change;
  else if (ready) change = options.change(prepared as P);
  const outcome = await withChangeApproval({
    approvals,
    ask,
    kind: 'config-release',
    target: setTarget(options.set),
    change,
    summary: options.summary,
    credentials: caller.credentials,
    refusal: why,
    requiredMessage: `${why}, or a change approval: ask for one (requestApproval) and run with the approved ticket (approvalTicket)`,
  });
  if (!outcome.run) return { ...outcome, prepared } as GateOutcome<P>;
  return { ...outcome, prepared: prepared as P };
}
