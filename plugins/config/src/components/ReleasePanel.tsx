import { useCallback, useEffect, useState } from 'react';
import {
  Button,
  Checkbox,
  Chip,
  FormControlLabel,
  LinearProgress,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  FINAL_HOST_STATES,
  MAX_RELEASE_PAUSE_SECONDS,
  type Release,
} from '@opsdeck/plugin-config-common';
import {
  ApprovalPanel,
  isApprovalRequired,
  type ApprovalAsk,
  type ChangeApprovalTicket,
} from '@opsdeck/plugin-tickets-react';
import { ErrorAlert, formatTime, useConfigClient, useT } from './hooks';

/** The pause settings of a push or rollback. */
export function PauseFields(props: {
  pauseSeconds: number;
  onPauseSeconds: (n: number) => void;
  confirmFirstBatch: boolean;
  onConfirmFirstBatch: (b: boolean) => void;
}) {
  const t = useT();
  return (
    <div>
      <TextField
        id="config-pause-seconds"
        type="number"
        label={t('versions.pauseSeconds')}
        value={props.pauseSeconds}
        onChange={e =>
          props.onPauseSeconds(
            Math.min(
              MAX_RELEASE_PAUSE_SECONDS,
              Math.max(0, Math.floor(Number(e.target.value)) || 0),
            ),
          )
        }
        inputProps={{ min: 0, max: MAX_RELEASE_PAUSE_SECONDS }}
        style={{ marginTop: 8 }}
      />
      <FormControlLabel
        style={{ marginTop: 8, marginLeft: 8 }}
        control={
          <Checkbox
            checked={props.confirmFirstBatch}
            onChange={e => props.onConfirmFirstBatch(e.target.checked)}
            inputProps={{ 'aria-label': t('versions.confirmFirstBatch') }}
          />
        }
        label={t('versions.confirmFirstBatch')}
      />
    </div>
  );
}

const COLORS: Record<string, 'primary' | 'secondary' | 'default'> = {
  done: 'primary',
  invalid: 'secondary',
  reverted: 'secondary',
  failed: 'secondary',
};

/** Still moving: polled, and (running or paused) abortable. */
const LIVE = ['running', 'paused', 'aborting', 'reloading'];

const who = (ref: string) => ref.replace(/^user:default\//, '');

/**
 * A release's per-host progress, refreshed every second while it runs, is
 * paused (a timed pause goes on by itself, someone else may continue it) or
 * is aborting; Continue of a paused release and Abort of a running or paused
 * one for those who may push (hidden from others). A release pushed
 * without reload (`swapped`) offers "Reload now" to them, through a change
 * approval (request, then run with the approved ticket) when it touches
 * prod hosts and they lack config.push.prod.
 */
export function ReleasePanel({
  releaseId,
  onFinished,
  canControl = false,
}: {
  releaseId: number;
  onFinished?: () => void;
  canControl?: boolean;
}) {
  const t = useT();
  const client = useConfigClient();
  const [release, setRelease] = useState<Release>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const [controlError, setControlError] = useState<Error>();
  // a prod reload without config.push.prod: waiting for a ticket
  const [gated, setGated] = useState<{ requested?: ChangeApprovalTicket }>();
  // bumped by Continue/Abort: polling starts again
  const [round, setRound] = useState(0);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const r = await client.release(releaseId);
        if (stopped) return;
        setRelease(r);
        if (LIVE.includes(r.status)) {
          timer = setTimeout(poll, 1000);
        } else onFinished?.();
      } catch (e) {
        if (!stopped) setError(e as Error);
      }
    };
    poll();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, releaseId, round]);
  const control = useCallback(
    async (what: 'continue' | 'abort') => {
      setBusy(true);
      setControlError(undefined);
      try {
        setRelease(
          what === 'continue'
            ? await client.continueRelease(releaseId)
            : await client.abortRelease(releaseId),
        );
        setRound(r => r + 1);
      } catch (e) {
        setControlError(e as Error);
      } finally {
        setBusy(false);
      }
    },
    [client, releaseId],
  );
  const reload = useCallback(
    async (approval: ApprovalAsk = {}) => {
      setBusy(true);
      setControlError(undefined);
      try {
        const r = await client.reloadRelease(releaseId, approval);
        if ('approvalTicket' in r) {
          setGated({ requested: r.approvalTicket });
          return;
        }
        setGated(undefined);
        setRelease(r);
        setRound(n => n + 1);
      } catch (e) {
        if (isApprovalRequired(e) && !approval.approvalTicket) {
          setGated({});
        } else setControlError(e as Error);
      } finally {
        setBusy(false);
      }
    },
    [client, releaseId],
  );
  if (error) return <ErrorAlert error={error} />;
  if (!release) return null;
  const finished = release.hosts.filter(h =>
    FINAL_HOST_STATES.includes(h.state),
  ).length;
  return (
    <TableContainer
      component={Paper}
      style={{ marginTop: 16 }}
      data-testid="config-release"
      data-status={release.status}
    >
      <Typography variant="h6" style={{ padding: 8 }}>
        {t('release.title', {
          id: release.id,
          version: release.version,
          status: t(`status.${release.status}`),
        })}
      </Typography>
      <div style={{ padding: '0 8px 8px' }}>
        <LinearProgress
          variant="determinate"
          value={(100 * finished) / Math.max(1, release.hosts.length)}
        />
        <Typography variant="body2" data-testid="config-release-progress">
          {t('release.progress', {
            done: finished,
            total: release.hosts.length,
          })}
        </Typography>
        {release.status === 'paused' && (
          <Alert severity="warning" data-testid="config-release-paused">
            {release.resumeAt
              ? t('release.pausedUntil', { time: formatTime(release.resumeAt) })
              : t('release.waiting')}
            {canControl && (
              <>
                {' '}
                <Button
                  size="small"
                  color="primary"
                  variant="contained"
                  disabled={busy}
                  onClick={() => control('continue')}
                >
                  {t('release.continue')}
                </Button>{' '}
                <Button
                  size="small"
                  variant="outlined"
                  disabled={busy}
                  onClick={() => control('abort')}
                >
                  {t('release.abort')}
                </Button>
              </>
            )}
          </Alert>
        )}
        {release.status === 'swapped' && (
          <Alert severity="warning" data-testid="config-release-swapped">
            {t('release.reloadPending', {
              count: String(
                release.hosts.filter(h => h.state === 'swapped').length,
              ),
            })}
            {canControl && (
              <>
                {' '}
                <Button
                  size="small"
                  color="primary"
                  variant="contained"
                  disabled={busy}
                  onClick={() => reload()}
                >
                  {t('release.reload')}
                </Button>
              </>
            )}
          </Alert>
        )}
        {release.status === 'swapped' && canControl && gated && (
          <ApprovalPanel
            key={`reload-${gated.requested?.ticketId}`}
            idPrefix="config-reload"
            reason={t('approval.reloadRequired')}
            runLabel={t('approval.reloadRun')}
            requested={gated.requested}
            busy={busy}
            onRun={reload}
          />
        )}
        {release.reloadedBy && (
          <Alert severity="info" data-testid="config-release-reloaded">
            {t('release.reloadedBy', { who: who(release.reloadedBy) })}
          </Alert>
        )}
        {release.status === 'running' && canControl && (
          <div style={{ marginTop: 8 }}>
            <Button
              size="small"
              variant="outlined"
              disabled={busy}
              onClick={() => control('abort')}
            >
              {t('release.abort')}
            </Button>
          </div>
        )}
        {(release.status === 'aborting' || release.status === 'aborted') &&
          release.abortedBy && (
            <Alert severity="info" data-testid="config-release-aborted">
              {t(
                release.status === 'aborting'
                  ? 'release.aborting'
                  : 'release.abortedBy',
                { who: who(release.abortedBy) },
              )}
            </Alert>
          )}
        {controlError && <ErrorAlert error={controlError} />}
      </div>
      <Table size="small">
        <TableHead>
          <TableRow>
            <TableCell>{t('release.host')}</TableCell>
            <TableCell>{t('release.state')}</TableCell>
            <TableCell>{t('release.error')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {release.hosts.map(h => (
            <TableRow key={h.host} data-testid="config-release-host">
              <TableCell>{h.host.replace(/^resource:default\//, '')}</TableCell>
              <TableCell>
                <Chip
                  size="small"
                  color={COLORS[h.state] ?? 'default'}
                  label={t(`state.${h.state}`)}
                  data-state={h.state}
                />
              </TableCell>
              <TableCell>
                <code style={{ whiteSpace: 'pre-wrap' }}>{h.error ?? ''}</code>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
