import { useCallback, useState } from 'react';
import type {
  ApprovalAsk,
  ChangeApprovalTicket,
} from '@opsdeck/plugin-tickets-react';
import type { ActionExtra, ActionName, WorkloadTarget } from '../api';
import { useActionsClient } from './hooks';

/** One action asked of a workload (what is re-sent with an approval). */
export interface AskedAction {
  action: ActionName;
  target: WorkloadTarget;
  replicas?: number;
  /** deploy: the container and the pinned image. */
  container?: string;
  image?: string;
  /** rollback: the revision it goes back to. */
  toRevision?: number;
}

/** The body fields of an asked action besides its target. */
export function extraOf(asked: AskedAction): ActionExtra {
  const extra: ActionExtra = {};
  if (asked.replicas !== undefined) extra.replicas = asked.replicas;
  if (asked.container !== undefined) extra.container = asked.container;
  if (asked.image !== undefined) extra.image = asked.image;
  if (asked.toRevision !== undefined) extra.toRevision = asked.toRevision;
  // the server would watch the rollout before answering: the tab follows
  // it itself (RolloutProgress), so the request answers right after the patch
  if (asked.action === 'deploy' || asked.action === 'rollback') {
    extra.watchSeconds = 0;
  }
  return extra;
}

/** Where the last action stands. */
export type ActionState =
  | { status: 'idle' }
  | { status: 'busy'; asked: AskedAction }
  | { status: 'done'; asked: AskedAction; body: Record<string, unknown> }
  | { status: 'error'; asked: AskedAction; message: string }
  | {
      status: 'approval';
      asked: AskedAction;
      message: string;
      requested?: ChangeApprovalTicket;
      /** Why the last request or claim of a ticket failed. */
      error?: string;
    };

/**
 * Runs an action; a prod action that needs an approval keeps what was asked
 * so the same change can request a ticket and then run with it.
 */
export function useWorkloadAction(onDone: () => void) {
  const client = useActionsClient();
  const [state, setState] = useState<ActionState>({ status: 'idle' });

  const run = useCallback(
    async (asked: AskedAction, approval: ApprovalAsk = {}) => {
      const previous = state;
      setState({ status: 'busy', asked });
      try {
        const outcome = await client.run(asked.action, asked.target, {
          ...extraOf(asked),
          ...approval,
        });
        if (outcome.kind === 'done') {
          setState({ status: 'done', asked, body: outcome.body });
          onDone();
        } else if (outcome.kind === 'approvalRequired') {
          setState({ status: 'approval', asked, message: outcome.message });
        } else {
          setState({
            status: 'approval',
            asked,
            message:
              previous.status === 'approval' ? previous.message : asked.action,
            requested: outcome.ticket,
          });
        }
      } catch (e) {
        const message = (e as Error).message;
        setState(
          previous.status === 'approval'
            ? { ...previous, error: message }
            : { status: 'error', asked, message },
        );
      }
    },
    [client, onDone, state],
  );

  return { state, run, reset: () => setState({ status: 'idle' }) };
}
