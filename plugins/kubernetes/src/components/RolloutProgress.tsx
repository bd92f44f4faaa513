import { useEffect, useRef, useState } from 'react';
import { Box, LinearProgress, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import type { RolloutSnapshot, WorkloadTarget } from '../api';
import { serverErrorMessage } from '@opsdeck/plugin-opsdeck-common';
import { kubernetesErrorTexts, useActionsClient, useT } from './hooks';

/** Milliseconds between two reads of the rollout. */
export const ROLLOUT_POLL_MS = 2000;
/** Most reads of one rollout (5 minutes at the default pace). */
export const ROLLOUT_MAX_READS = 150;

/**
 * A deployment's rollout after an action from this tab, read from the
 * module's `GET /deployments/rollout` every `pollMs` until it completes,
 * fails or `maxReads` reads were made: replicas updated, ready and
 * available of desired, the new ReplicaSet and, on failure, why.
 */
export function RolloutProgress(props: {
  target: WorkloadTarget;
  pollMs?: number;
  maxReads?: number;
}) {
  const t = useT();
  const client = useActionsClient();
  const { target } = props;
  const pollMs = props.pollMs ?? ROLLOUT_POLL_MS;
  const maxReads = props.maxReads ?? ROLLOUT_MAX_READS;
  const [now, setNow] = useState<RolloutSnapshot>();
  const [error, setError] = useState<string>();
  const [stopped, setStopped] = useState(false);
  const { entityRef, cluster, namespace, name } = target;
  // the words of a refusal, without reading again when the language changes
  const said = useRef(t);
  said.current = t;

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let reads = 0;
    const read = async () => {
      reads += 1;
      try {
        const snapshot = await client.rollout({
          entityRef,
          cluster,
          namespace,
          name,
        });
        if (cancelled) return;
        setNow(snapshot);
        setError(undefined);
        if (snapshot.state !== 'progressing') return;
      } catch (e) {
        if (cancelled) return;
        setError(
          serverErrorMessage(e, { texts: kubernetesErrorTexts(said.current) }),
        );
      }
      if (reads >= maxReads) {
        setStopped(true);
        return;
      }
      timer = setTimeout(read, pollMs);
    };
    read();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [client, entityRef, cluster, namespace, name, pollMs, maxReads]);

  const failedWhy =
    (Array.isArray(now?.conditions) ? now!.conditions : []).find(
      c => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded',
    )?.message ?? now?.message;
  return (
    <Box mt={1} mb={1} data-testid="kubernetes-rollout">
      <Typography variant="subtitle2">
        {t('rollout.title', { name })}
      </Typography>
      {now?.state === 'progressing' && !stopped && (
        <LinearProgress
          variant="determinate"
          value={now.replicas > 0 ? (100 * now.available) / now.replicas : 0}
        />
      )}
      {now && (
        <Typography variant="body2" data-testid="kubernetes-rollout-counts">
          {t('rollout.counts', {
            updated: String(now.updated),
            replicas: String(now.replicas),
            ready: String(now.ready),
            available: String(now.available),
          })}
        </Typography>
      )}
      {now?.newReplicaSet && (
        <Typography variant="body2">
          {t('rollout.replicaSet', {
            name: now.newReplicaSet,
            revision: now.revision ?? '?',
          })}
        </Typography>
      )}
      {now?.state === 'progressing' && !stopped && (
        <Typography variant="body2" color="textSecondary">
          {t('rollout.progressing')} {now.message}
        </Typography>
      )}
      {now?.state === 'complete' && (
        <Alert severity="success">{t('rollout.complete')}</Alert>
      )}
      {now?.state === 'failed' && (
        <Alert severity="error">
          {t('rollout.failed', { message: failedWhy ?? '' })}
        </Alert>
      )}
      {stopped && (
        <Alert severity="warning">
          {t('rollout.stopped', {
            seconds: String(Math.round((maxReads * pollMs) / 1000)),
          })}
        </Alert>
      )}
      {error && (
        <Alert severity="error" data-testid="kubernetes-rollout-error">
          {t('error.rollout', { message: error })}
        </Alert>
      )}
    </Box>
  );
}
