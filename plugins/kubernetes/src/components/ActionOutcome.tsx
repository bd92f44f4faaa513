import { Alert } from '@material-ui/lab';
import { ApprovalPanel } from '@opsdeck/plugin-tickets-react';
import type { ActionName } from '../api';
import { RolloutProgress } from './RolloutProgress';
import { useT } from './hooks';
import type { ActionState, AskedAction } from './useWorkloadAction';

/** Actions that start a rollout the card follows. */
const ROLLED_OUT: ActionName[] = ['restart', 'deploy', 'rollback'];

/**
 * What the last action answered: its error, what was done (and the rollout
 * it started, followed live), or the prod approval panel.
 */
export function ActionOutcome(props: {
  state: ActionState;
  onApproval: (asked: AskedAction, ask: object) => void;
  rolloutPollMs?: number;
}) {
  const t = useT();
  const { state } = props;
  if (state.status === 'error') {
    return (
      <Alert severity="error" data-testid="kubernetes-action-error">
        {t('error.action', { message: state.message })}
      </Alert>
    );
  }
  if (state.status === 'done') {
    const { asked, body } = state;
    let text: string = t('pods.deleted', { name: asked.target.name });
    if (asked.action === 'restart') {
      text = t('deployments.restarted', { name: asked.target.name });
    } else if (asked.action === 'deploy') {
      text = t('deploy.done', {
        name: asked.target.name,
        image: String(body.image ?? asked.image ?? ''),
        previous: String(body.previousImage ?? '?'),
      });
    } else if (asked.action === 'rollback') {
      text = t('rollback.done', {
        name: asked.target.name,
        revision: String(body.toRevision ?? asked.toRevision ?? '?'),
      });
    } else if (asked.action === 'scale') {
      text = t('deployments.scaled', {
        name: asked.target.name,
        from: String(body.previous ?? '?'),
        to: String(asked.replicas),
      });
    }
    return (
      <>
        <Alert severity="success">{text}</Alert>
        {/* a restart, a deploy and a rollback roll the deployment out: followed live */}
        {ROLLED_OUT.includes(asked.action) && (
          <RolloutProgress
            key={JSON.stringify(body)}
            target={asked.target}
            pollMs={props.rolloutPollMs}
          />
        )}
      </>
    );
  }
  if (state.status === 'approval') {
    return (
      <>
        {state.error && (
          <Alert severity="error" data-testid="kubernetes-action-error">
            {t('error.action', { message: state.error })}
          </Alert>
        )}
        <ApprovalPanel
          key={state.requested?.ticketId ?? 0}
          idPrefix="kubernetes"
          reason={t('approval.required', { message: state.message })}
          requested={state.requested}
          busy={false}
          onRun={ask => props.onApproval(state.asked, ask)}
        />
      </>
    );
  }
  return null;
}
