import { useState } from 'react';
import {
  Content,
  Header,
  Link,
  Page,
  Progress,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import {
  Box,
  Button,
  Checkbox,
  MenuItem,
  Tab,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Tabs,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { Route, Routes, useNavigate } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { Job, Run, RunStatus, Schedule } from '../api';
import { useAdhocFromUrl } from './adhocFromUrl';
import { ScheduleDialog } from './ScheduleDialog';
import { jobsRouteRef } from '../plugin';
import {
  emptySelector,
  shortRef,
  StatusChip,
  time,
  useErrorText,
  useJobsClient,
  useCan,
  useT,
} from './common';
import { JobEditorDialog } from './JobEditorDialog';
import { RunDialog } from './RunDialog';
import { RunPage } from './RunPage';
import { ScheduleEditDialog } from './ScheduleEditDialog';
import { jobsReadPermission } from '@opsdeck/plugin-opsdeck-common';
import { RequireAnyPermission } from '@opsdeck/plugin-opsdeck-common/react';

function useRunPath() {
  const root = useRouteRef(jobsRouteRef);
  return (id: string) => `${root?.() ?? '/jobs'}/runs/${id}`;
}

function JobsTab() {
  const t = useT();
  const client = useJobsClient();
  const errorText = useErrorText();
  const navigate = useNavigate();
  const runPath = useRunPath();
  const state = useAsyncRetry(() => client.listJobs(), [client]);
  const [editing, setEditing] = useState<Job | 'new'>();
  const [running, setRunning] = useState<Job | 'adhoc'>();
  const [error, setError] = useState<string>();
  const can = useCan();
  // `?adhoc=web-01,web-02` (the Hosts page's "Run a command")
  const { adhocHosts, clearAdhoc } = useAdhocFromUrl(
    can.manage && can.run,
    () => setRunning('adhoc'),
  );
  const closeRunDialog = () => {
    setRunning(undefined);
    clearAdhoc();
  };

  return (
    <>
      {can.manage && (
        <Box mb={2} display="flex" style={{ gap: 8 }}>
          <Button
            color="primary"
            variant="contained"
            onClick={() => setEditing('new')}
          >
            {t('jobs.new')}
          </Button>
          {can.run && (
            <Button variant="outlined" onClick={() => setRunning('adhoc')}>
              {t('adhoc.open')}
            </Button>
          )}
        </Box>
      )}
      {error && <Alert severity="error">{error}</Alert>}
      {state.error && <Alert severity="error">{errorText(state.error)}</Alert>}
      {state.loading && !state.value && <Progress />}
      {state.value && state.value.length === 0 && (
        <Typography>{t('jobs.empty')}</Typography>
      )}
      {state.value && state.value.length > 0 && (
        <Table size="small" aria-label={t('jobs.caption')}>
          <TableHead>
            <TableRow>
              <TableCell>{t('jobs.name')}</TableCell>
              <TableCell>{t('jobs.description')}</TableCell>
              <TableCell>{t('jobs.language')}</TableCell>
              <TableCell>{t('jobs.version')}</TableCell>
              <TableCell>{t('jobs.updated')}</TableCell>
              <TableCell>{t('jobs.actions')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {state.value.map(job => (
              <TableRow key={job.id} data-testid={`jobs-row-${job.name}`}>
                <TableCell>{job.name}</TableCell>
                <TableCell>{job.description}</TableCell>
                <TableCell>{job.language}</TableCell>
                <TableCell>{job.version}</TableCell>
                <TableCell>
                  {time(job.updatedAt)} · {shortRef(job.updatedBy)}
                </TableCell>
                <TableCell>
                  <Box display="flex" style={{ gap: 8 }}>
                    {can.run && (
                      <Button
                        size="small"
                        color="primary"
                        variant="outlined"
                        onClick={() => setRunning(job)}
                      >
                        {t('jobs.run')}
                      </Button>
                    )}
                    <Button
                      size="small"
                      disabled={!can.manage}
                      onClick={() => setEditing(job)}
                    >
                      {t('jobs.edit')}
                    </Button>
                    <Button
                      size="small"
                      color="secondary"
                      disabled={!can.manage}
                      onClick={async () => {
                        setError(undefined);
                        try {
                          await client.deleteJob(job.id);
                          state.retry();
                        } catch (e) {
                          setError(errorText(e));
                        }
                      }}
                    >
                      {t('jobs.delete')}
                    </Button>
                  </Box>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {editing && (
        <JobEditorDialog
          job={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            state.retry();
          }}
        />
      )}
      {running && (
        <RunDialog
          job={running === 'adhoc' ? undefined : running}
          initialSelector={
            running === 'adhoc' && adhocHosts
              ? { ...emptySelector, names: adhocHosts }
              : undefined
          }
          onClose={closeRunDialog}
          onStarted={(run: Run) => navigate(runPath(run.id))}
        />
      )}
    </>
  );
}

const RUN_STATUSES: RunStatus[] = [
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'interrupted',
];

function RunsTab() {
  const t = useT();
  const client = useJobsClient();
  const errorText = useErrorText();
  const runPath = useRunPath();
  const [filter, setFilter] = useState({
    job: '',
    status: '',
    triggeredBy: '',
    host: '',
  });
  const can = useCan();
  const state = useAsyncRetry(
    () =>
      client.listRuns({
        ...filter,
        status: RUN_STATUSES.find(s => s === filter.status),
      }),
    [client, filter],
  );
  const anyRunning = state.value?.some(r => r.status === 'running');
  useInterval(state.retry, anyRunning ? 2000 : null);
  const field = (key: keyof typeof filter, label: string) => (
    <TextField
      id={`jobs-filter-${key}`}
      label={label}
      value={filter[key]}
      onChange={e => setFilter({ ...filter, [key]: e.target.value })}
      margin="dense"
      variant="outlined"
    />
  );
  return (
    <>
      <Box display="flex" style={{ gap: 8 }}>
        {field('job', t('runs.filterJob'))}
        <TextField
          id="jobs-filter-status"
          select
          label={t('runs.filterStatus')}
          value={filter.status}
          onChange={e =>
            setFilter({ ...filter, status: e.target.value as string })
          }
          margin="dense"
          variant="outlined"
          style={{ minWidth: 160 }}
        >
          <MenuItem value="">{t('runs.any')}</MenuItem>
          {RUN_STATUSES.map(s => (
            <MenuItem key={s} value={s}>
              {t(`status.${s}`)}
            </MenuItem>
          ))}
        </TextField>
        {field('triggeredBy', t('runs.filterBy'))}
        {field('host', t('runs.filterHost'))}
      </Box>
      {!can.adhocRead && !can.adhocReadLoading && (
        <Typography
          variant="caption"
          component="p"
          data-testid="jobs-adhoc-others-hidden"
        >
          {t('adhoc.othersHidden')}
        </Typography>
      )}
      {state.error && <Alert severity="error">{errorText(state.error)}</Alert>}
      {state.loading && !state.value && <Progress />}
      {state.value && state.value.length === 0 && (
        <Typography>{t('runs.empty')}</Typography>
      )}
      {state.value && state.value.length > 0 && (
        <Table size="small" aria-label={t('runs.caption')}>
          <TableHead>
            <TableRow>
              <TableCell>{t('runs.started')}</TableCell>
              <TableCell>{t('runs.job')}</TableCell>
              <TableCell>{t('runs.status')}</TableCell>
              <TableCell>{t('runs.trigger')}</TableCell>
              <TableCell>{t('runs.by')}</TableCell>
              <TableCell>{t('runs.hosts')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {state.value.map(r => (
              <TableRow key={r.id} data-testid={`jobs-run-${r.id}`}>
                <TableCell>
                  <Link to={runPath(r.id)}>{time(r.createdAt)}</Link>
                </TableCell>
                <TableCell>
                  {r.jobName} v{r.jobVersion}
                </TableCell>
                <TableCell>
                  <StatusChip status={r.status} />
                </TableCell>
                <TableCell>{t(`trigger.${r.trigger}`)}</TableCell>
                <TableCell>{shortRef(r.triggeredBy)}</TableCell>
                <TableCell>
                  {r.summary.succeeded ?? 0}/{r.hostCount}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}

function SchedulesTab() {
  const t = useT();
  const client = useJobsClient();
  const errorText = useErrorText();
  const state = useAsyncRetry(
    async () => ({
      schedules: await client.listSchedules(),
      jobs: await client.listJobs(),
    }),
    [client],
  );
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Schedule>();
  const [error, setError] = useState<string>();
  const act = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      state.retry();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const jobName = (id: string) =>
    state.value?.jobs.find(j => j.id === id)?.name ?? id;
  const can = useCan();
  return (
    <>
      <Box mb={2}>
        <Button
          color="primary"
          variant="contained"
          onClick={() => setCreating(true)}
          disabled={!can.manage || !state.value?.jobs.length}
        >
          {t('schedules.new')}
        </Button>
      </Box>
      {error && <Alert severity="error">{error}</Alert>}
      {state.error && <Alert severity="error">{errorText(state.error)}</Alert>}
      {state.loading && !state.value && <Progress />}
      {state.value && state.value.schedules.length === 0 && (
        <Typography>{t('schedules.empty')}</Typography>
      )}
      {state.value && state.value.schedules.length > 0 && (
        <Table size="small" aria-label={t('schedules.caption')}>
          <TableHead>
            <TableRow>
              <TableCell>{t('schedules.name')}</TableCell>
              <TableCell>{t('schedules.job')}</TableCell>
              <TableCell>{t('schedules.cron')}</TableCell>
              <TableCell>{t('schedules.timeZone')}</TableCell>
              <TableCell>{t('schedules.missedPolicy')}</TableCell>
              <TableCell>{t('schedules.next')}</TableCell>
              <TableCell>{t('schedules.approved')}</TableCell>
              <TableCell>{t('schedules.enabled')}</TableCell>
              <TableCell>{t('jobs.actions')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {state.value.schedules.map(s => (
              <TableRow key={s.id}>
                <TableCell>{s.name}</TableCell>
                <TableCell>{jobName(s.jobId)}</TableCell>
                <TableCell>
                  <code>{s.cron}</code>
                </TableCell>
                <TableCell>{s.timeZone}</TableCell>
                <TableCell>
                  {s.missedPolicy === 'skip'
                    ? t('schedules.skip')
                    : t('schedules.runOnce')}
                </TableCell>
                <TableCell>
                  {s.enabled && time(s.nextTickAt)}
                  {!s.enabled && s.pausedReason && (
                    <Typography
                      variant="caption"
                      color="error"
                      title={t('schedules.pausedHelp')}
                      data-testid={`jobs-schedule-paused-${s.name}`}
                    >
                      {t('schedules.pausedReason', {
                        at: time(s.pausedAt),
                        reason: s.pausedReason,
                      })}
                    </Typography>
                  )}
                </TableCell>
                <TableCell
                  title={t('schedules.approvedHelp', {
                    hosts: String(s.approvedHosts.length),
                    by: shortRef(s.approvedBy ?? s.createdBy),
                  })}
                >
                  {s.approvedHosts.length} ·{' '}
                  {shortRef(s.approvedBy ?? s.createdBy)}
                </TableCell>
                <TableCell>
                  <Checkbox
                    checked={s.enabled}
                    disabled={!can.manage}
                    inputProps={{
                      'aria-label': `${t('schedules.enabled')} ${s.name}`,
                    }}
                    onChange={e =>
                      act(() =>
                        client.setScheduleEnabled(s.id, e.target.checked),
                      )
                    }
                  />
                </TableCell>
                <TableCell>
                  <Button
                    size="small"
                    disabled={!can.manage}
                    aria-label={`${t('schedules.edit')} ${s.name}`}
                    onClick={() => setEditing(s)}
                  >
                    {t('schedules.edit')}
                  </Button>
                  <Button
                    size="small"
                    color="secondary"
                    disabled={!can.manage}
                    onClick={() => act(() => client.deleteSchedule(s.id))}
                  >
                    {t('jobs.delete')}
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {creating && state.value && (
        <ScheduleDialog
          jobs={state.value.jobs}
          onClose={() => setCreating(false)}
          onCreated={() => {
            setCreating(false);
            state.retry();
          }}
        />
      )}
      {editing && state.value && (
        <ScheduleEditDialog
          schedule={editing}
          job={state.value.jobs.find(j => j.id === editing.jobId)}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            state.retry();
          }}
        />
      )}
    </>
  );
}

function JobsHome() {
  const t = useT();
  const [tab, setTab] = useState(0);
  return (
    <>
      <Tabs value={tab} onChange={(_, v) => setTab(v)} indicatorColor="primary">
        <Tab label={t('tabs.jobs')} />
        <Tab label={t('tabs.runs')} />
        <Tab label={t('tabs.schedules')} />
      </Tabs>
      <Box mt={2}>
        {tab === 0 && <JobsTab />}
        {tab === 1 && <RunsTab />}
        {tab === 2 && <SchedulesTab />}
      </Box>
    </>
  );
}

/** The Jobs page: jobs, run history and schedules; a run at /jobs/runs/:runId. */
export function JobsPage() {
  const t = useT();
  return (
    <Page themeId="tool">
      <Header title={t('page.title')} subtitle={t('page.subtitle')} />
      <Content>
        <RequireAnyPermission permissions={[jobsReadPermission]}>
          <Routes>
            <Route path="/" element={<JobsHome />} />
            <Route path="/runs/:runId" element={<RunPage />} />
          </Routes>
        </RequireAnyPermission>
      </Content>
    </Page>
  );
}
