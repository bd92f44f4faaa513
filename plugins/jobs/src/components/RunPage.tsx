import { useEffect, useState } from 'react';
import { Link, Progress } from '@backstage/core-components';
import {
  Box,
  Button,
  Chip,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { useNavigate, useParams } from 'react-router-dom';
import { jobsRouteRef } from '../plugin';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { Run, RunHost } from '../api';
import { OutputGroups } from './OutputGroups';
import { useRunStream } from './useRunStream';
import {
  shortRef,
  StatusChip,
  time,
  useCan,
  useErrorText,
  useJobsClient,
  useT,
} from './common';

const POLL_MS = 1000;

/** A host's output read from the REST API, polled while it may change. */
function PolledHostOutput(props: {
  runId: string;
  host: string;
  live: boolean;
}) {
  const client = useJobsClient();
  const state = useAsyncRetry(
    () => client.getRunHost(props.runId, props.host),
    [client, props.runId, props.host],
  );
  const { retry } = state;
  const running =
    props.live ||
    state.value?.status === 'running' ||
    state.value?.status === 'pending';
  useInterval(retry, running ? POLL_MS : null);
  const h = state.value;
  if (!h) return state.loading ? <Progress /> : null;
  return <HostOutput host={h} />;
}

function HostOutput(props: { host: RunHost }) {
  const t = useT();
  const h = props.host;
  return (
    <Paper
      style={{ padding: 16, marginTop: 16 }}
      data-testid="jobs-host-output"
    >
      <Typography variant="h6">
        {t('runPage.output', { host: h.host })}
      </Typography>
      {h.error && <Alert severity="error">{h.error}</Alert>}
      {h.truncated && (
        <Alert severity="warning">{t('runPage.truncated')}</Alert>
      )}
      {h.secretPrinted && (
        <Alert severity="warning">{t('runPage.secretPrintedHost')}</Alert>
      )}
      <Typography variant="subtitle2">{t('runPage.stdout')}</Typography>
      <pre
        data-testid="jobs-stdout"
        style={{
          background: '#111',
          color: '#eee',
          padding: 8,
          overflow: 'auto',
          maxHeight: 400,
        }}
      >
        {h.stdout || t('runPage.noOutput')}
      </pre>
      <Typography variant="subtitle2">{t('runPage.stderr')}</Typography>
      <pre
        data-testid="jobs-stderr"
        style={{
          background: '#111',
          color: '#f88',
          padding: 8,
          overflow: 'auto',
          maxHeight: 200,
        }}
      >
        {h.stderr || t('runPage.noOutput')}
      </pre>
    </Paper>
  );
}

function WebhookResult(props: { run: Run }) {
  const t = useT();
  const d = props.run.webhookDelivery;
  if (!d) return null;
  return (
    <Alert
      severity={d.status === 'delivered' ? 'success' : 'warning'}
      data-testid="jobs-webhook-delivery"
      style={{ marginTop: 8 }}
    >
      {d.trigger === 'success' && t('runPage.webhookFiredOnSuccess')}
      {d.trigger === 'failure' && t('runPage.webhookFiredOnFailure')}
      {d.trigger === 'cancel' && t('runPage.webhookFiredOnCancel')}
      {d.status === 'delivered'
        ? t('runPage.webhookDelivered', {
            url: d.url,
            status: String(d.responseStatus ?? ''),
            attempts: String(d.attempts),
          })
        : t('runPage.webhookFailed', {
            url: d.url,
            attempts: String(d.attempts),
            error: d.error ?? '',
          })}
    </Alert>
  );
}

/** The run page at /jobs/runs/:runId. */
export function RunPage() {
  const { runId = '' } = useParams();
  return <RunView runId={runId} />;
}

/**
 * One run: summary, per-host status, and the chosen host's output. While
 * the run goes on, everything comes over its event stream; if the stream
 * breaks, the page polls the REST API every second instead.
 */
export function RunView(props: { runId: string }) {
  const { runId } = props;
  const t = useT();
  const client = useJobsClient();
  const errorText = useErrorText();
  const navigate = useNavigate();
  const root = useRouteRef(jobsRouteRef);
  const state = useAsyncRetry(() => client.getRun(runId), [client, runId]);
  const can = useCan();
  const [selected, setSelected] = useState<string>();
  const [actionError, setActionError] = useState<string>();
  const loadedRunning = state.value?.run.status === 'running';
  const stream = useRunStream(runId, selected, loadedRunning && !!selected);
  const streaming = stream.mode === 'connecting' || stream.mode === 'streaming';
  const { retry } = state;
  // the stream ended with the run: load the final state once
  useEffect(() => {
    if (stream.mode === 'ended') retry();
  }, [stream.mode, retry]);
  const polling = !streaming && (loadedRunning || !state.value);
  useInterval(retry, polling ? POLL_MS : null);

  const hosts: RunHost[] = (state.value?.hosts ?? []).map(
    h => (streaming && stream.hosts[h.host]) || h,
  );
  const firstHost = hosts[0]?.host;
  useEffect(() => {
    if (!selected && firstHost) setSelected(firstHost);
  }, [selected, firstHost]);

  if (!state.value) {
    if (state.error)
      return <Alert severity="error">{errorText(state.error)}</Alert>;
    return <Progress />;
  }
  const run = (streaming && stream.run) || state.value.run;
  const running = run.status === 'running';
  const failed = hosts.some(h => h.status !== 'succeeded');

  const streamedHost = streaming && hosts.find(h => h.host === selected);
  let selectedOutput = <Typography>{t('runPage.select')}</Typography>;
  if (selected && streamedHost) {
    selectedOutput = (
      <HostOutput
        host={{
          ...streamedHost,
          ...(stream.output[selected] ?? { stdout: '', stderr: '' }),
        }}
      />
    );
  } else if (selected) {
    // the stream is over or broken: the REST API has the output
    selectedOutput = (
      <PolledHostOutput
        key={`${run.id}/${selected}/${stream.mode}`}
        runId={run.id}
        host={selected}
        live={running}
      />
    );
  }

  const act = async (fn: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await fn();
    } catch (e) {
      setActionError(errorText(e));
    }
  };

  return (
    <Box>
      <Link to={root?.() ?? '/jobs'}>{t('runPage.back')}</Link>
      <Box display="flex" alignItems="center" style={{ gap: 16 }} my={2}>
        <Typography variant="h5">
          {run.adhoc
            ? t('adhoc.runTitle')
            : t('runPage.title', {
                job: run.jobName,
                version: String(run.jobVersion),
              })}
        </Typography>
        <span data-testid="jobs-run-status">
          <StatusChip status={run.status} />
        </span>
        {running && can.run && (
          <Button
            variant="outlined"
            color="secondary"
            onClick={() =>
              act(() => client.cancelRun(run.id).then(state.retry))
            }
          >
            {t('runPage.cancel')}
          </Button>
        )}
        {!running && failed && can.run && (!run.adhoc || can.manage) && (
          <Button
            variant="outlined"
            color="primary"
            onClick={() =>
              act(async () => {
                const next = await client.rerun(run.id);
                setSelected(undefined);
                navigate(`${root?.() ?? '/jobs'}/runs/${next.id}`);
              })
            }
          >
            {t('runPage.rerun')}
          </Button>
        )}
      </Box>
      {running && (
        <Typography variant="caption" data-testid="jobs-live-mode">
          {streaming ? t('runPage.liveStream') : t('runPage.livePoll')}
        </Typography>
      )}
      {run.adhoc && (
        <pre
          data-testid="jobs-adhoc-script"
          style={{ background: '#f5f5f5', padding: 8, overflow: 'auto' }}
        >
          {`# ${run.adhoc.language}\n${run.adhoc.script}`}
        </pre>
      )}
      {actionError && <Alert severity="error">{actionError}</Alert>}
      {run.error && <Alert severity="error">{run.error}</Alert>}
      {run.secretPrinted && (
        <Alert severity="warning" data-testid="jobs-secret-printed">
          {t('runPage.secretPrinted')}
        </Alert>
      )}
      <Typography variant="body2" data-testid="jobs-run-summary">
        {t('runPage.summary')}:{' '}
        {Object.entries(run.summary)
          .map(([s, n]) => `${t(`status.${s}` as 'status.failed')} ${n}`)
          .join(' · ')}{' '}
        — {t(`trigger.${run.trigger}`)} · {shortRef(run.triggeredBy)} ·{' '}
        {time(run.createdAt)}
      </Typography>
      <Table size="small" aria-label={t('runDialog.hosts')}>
        <TableHead>
          <TableRow>
            <TableCell>{t('runPage.host')}</TableCell>
            <TableCell>{t('runs.status')}</TableCell>
            <TableCell>{t('runPage.exitCode')}</TableCell>
            <TableCell>{t('runPage.attempts')}</TableCell>
            <TableCell>{t('runPage.duration')}</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {hosts.map(h => (
            <TableRow
              key={h.host}
              selected={h.host === selected}
              data-testid={`jobs-host-${h.host}`}
            >
              <TableCell>
                {h.host}{' '}
                <Typography variant="caption">
                  {h.address}:{h.port}
                </Typography>
              </TableCell>
              <TableCell>
                <StatusChip status={h.status} />
                {h.secretPrinted && (
                  <Chip
                    size="small"
                    label={t('runPage.secretPrintedHost')}
                    data-testid={`jobs-secret-printed-${h.host}`}
                    style={{
                      marginLeft: 4,
                      backgroundColor: '#ef6c00',
                      color: '#fff',
                    }}
                  />
                )}
              </TableCell>
              <TableCell>{h.exitCode ?? ''}</TableCell>
              <TableCell>{h.attempts}</TableCell>
              <TableCell>
                {h.durationMs === undefined
                  ? ''
                  : `${(h.durationMs / 1000).toFixed(1)} s`}
              </TableCell>
              <TableCell>
                <Button size="small" onClick={() => setSelected(h.host)}>
                  {t('runPage.show')}
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <WebhookResult run={run} />
      {!running && hosts.length > 1 && <OutputGroups runId={run.id} />}
      {selectedOutput}
    </Box>
  );
}
