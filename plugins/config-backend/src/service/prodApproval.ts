import type { HostTarget } from '@opsdeck/plugin-cmdb-common';
import type { ConfigSet } from '@opsdeck/plugin-config-common';
import { NotAllowedError } from '@backstage/errors';
import {
  ApprovalRequiredError,
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

/** What a request asks for when it touches prod hosts without the prod permission. */
export type ApprovalAsk = {
  /** Open a change approval ticket for exactly this request instead. */
  requestApproval?: boolean;
  /** Run with this approved ticket (claimed once, atomically). */
  approvalTicket?: number;
};

/** What the prod gate decided: run (with the claimed approval, if one was needed) or a ticket opened. */
export type GateOutcome =
  | { run: true; approval?: ClaimedApproval }
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
 * {@link ApprovalRequiredError} (403, `approvalRequired`).
 */
export async function prodGate(options: {
  approvals?: ChangeApprovalsService;
  caller: Caller;
  hosts: HostTarget[];
  set: ConfigSet;
  ask: ApprovalAsk;
  /** The change as it will run: everything that decides what lands where. */
  change: Record<string, unknown>;
  summary: string;
  what?: string;
}): Promise<GateOutcome> {
  const { caller, hosts, ask, approvals } = options;
  const prod = hosts.filter(h => h.environment === 'prod');
  // nothing to approve: a ticket is not used up by a change that needs none
  if (prod.length === 0 || caller.mayPushProd) return { run: true };
  const names = [...new Set(prod.map(h => h.name))].join(', ');
  const why = `${
    options.what ?? 'Pushing to'
  } prod hosts (${names}) needs opsdeck.config.push.prod`;
  if (!approvals) throw new NotAllowedError(why);
  const target = setTarget(options.set);
  if (ask.approvalTicket) {
    const approval = await approvals.claimApproval({
      ticketId: ask.approvalTicket,
      kind: 'config-release',
      target,
      change: options.change,
      credentials: caller.credentials,
    });
    return { run: true, approval };
  }
  if (ask.requestApproval) {
    const requested = await approvals.requestApproval({
      kind: 'config-release',
      target,
      summary: options.summary,
      change: options.change,
      credentials: caller.credentials,
    });
    return { run: false, requested };
  }
  throw new ApprovalRequiredError(
    `${why}, or a change approval: ask for one (requestApproval) and run with the approved ticket (approvalTicket)`,
  );
}
