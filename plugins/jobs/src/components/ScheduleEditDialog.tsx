import { useState } from 'react';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import useAsync from 'react-use/esm/useAsync';
import { Job, Schedule, TargetHost } from '../api';
import {
  fromSelector,
  SelectorDraft,
  SelectorFields,
  shortRef,
  toSelector,
  useErrorText,
  useJobsClient,
  useT,
} from './common';
import {
  HostPreview,
  ParameterFields,
  RunOptionsFields,
  toRunOptions,
  toRunOptionsDraft,
} from './RunDialog';

const hostName = (ref: string) => ref.replace(/^[^/]*\//, '');

/** Hosts the schedule's most recent run skipped because they were not approved. */
function useLastSkippedHosts(schedule: Schedule): string[] {
  const client = useJobsClient();
  const state = useAsync(async () => {
    const runs = await client.listRuns({ job: schedule.jobId });
    const last = runs.find(r => r.scheduleId === schedule.id);
    if (!last?.summary.skipped) return [];
    const { hosts } = await client.getRun(last.id);
    return hosts.filter(h => h.status === 'skipped').map(h => h.host);
  }, [client, schedule.id, schedule.jobId]);
  return state.value ?? [];
}

/**
 * Edit a schedule's timing, hosts, parameters and options. Saving (or
 * "approve again") approves, for the editing user, the hosts the selector
 * matches now: the backend checks each one and answers 403 naming a host the
 * user may not run on.
 */
export function ScheduleEditDialog(props: {
  schedule: Schedule;
  job?: Job;
  onClose(): void;
  onSaved(): void;
}) {
  const t = useT();
  const client = useJobsClient();
  const errorText = useErrorText();
  const { schedule, job } = props;
  const [cron, setCron] = useState(schedule.cron);
  const [timeZone, setTimeZone] = useState(schedule.timeZone);
  const [missedPolicy, setMissedPolicy] = useState(schedule.missedPolicy);
  const [selector, setSelector] = useState<SelectorDraft>(() =>
    fromSelector(schedule.selector),
  );
  const [values, setValues] = useState(schedule.params);
  const [options, setOptions] = useState(() =>
    toRunOptionsDraft(schedule.options),
  );
  const [preview, setPreview] = useState<TargetHost[]>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const skipped = useLastSkippedHosts(schedule);

  const doPreview = async () => {
    setError(undefined);
    try {
      setPreview(await client.preview(toSelector(selector)));
    } catch (e) {
      setError(errorText(e));
    }
  };

  const patch = async (body: Parameters<typeof client.updateSchedule>[1]) => {
    setBusy(true);
    setError(undefined);
    try {
      await client.updateSchedule(schedule.id, body);
      props.onSaved();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const save = () =>
    patch({
      cron,
      timeZone,
      missedPolicy,
      selector: toSelector(selector),
      params: Object.fromEntries(
        Object.entries(values).filter(([, v]) => v !== ''),
      ),
      options: toRunOptions(options),
    });

  // The saved fields unchanged: the backend approves the current matches again.
  const reapprove = () =>
    patch({
      cron: schedule.cron,
      timeZone: schedule.timeZone,
      missedPolicy: schedule.missedPolicy,
      selector: schedule.selector,
      params: schedule.params,
      options: schedule.options,
    });

  const text = (
    id: string,
    label: string,
    value: string,
    set: (v: string) => void,
    help?: string,
  ) => (
    <TextField
      id={`jobs-schedule-edit-${id}`}
      label={label}
      value={value}
      onChange={e => set(e.target.value)}
      helperText={help}
      required
      fullWidth
      margin="dense"
      variant="outlined"
    />
  );

  return (
    <Dialog open onClose={props.onClose} maxWidth="sm" fullWidth>
      <DialogTitle>
        {t('schedules.editTitle', { name: schedule.name })}
      </DialogTitle>
      <DialogContent>
        {error && (
          <Alert severity="error" data-testid="jobs-schedule-edit-error">
            {error}
          </Alert>
        )}
        <Box data-testid="jobs-schedule-approved" mb={1}>
          <Typography variant="subtitle1">
            {t('schedules.approvedNow', {
              count: schedule.approvedHosts.length,
              by: shortRef(schedule.approvedBy ?? schedule.createdBy),
            })}
          </Typography>
          <Typography variant="body2">
            {schedule.approvedHosts.length
              ? schedule.approvedHosts.map(hostName).join(', ')
              : t('schedules.approvedNone')}
          </Typography>
        </Box>
        {skipped.length > 0 && (
          <Alert severity="warning" data-testid="jobs-schedule-skipped">
            {t('schedules.lastSkipped', { hosts: skipped.join(', ') })}
          </Alert>
        )}
        {text(
          'cron',
          t('schedules.cron'),
          cron,
          setCron,
          t('schedules.cronHelp'),
        )}
        {text('tz', t('schedules.timeZone'), timeZone, setTimeZone)}
        <TextField
          id="jobs-schedule-edit-missed"
          select
          label={t('schedules.missedPolicy')}
          value={missedPolicy}
          onChange={e => setMissedPolicy(e.target.value as 'skip' | 'run-once')}
          fullWidth
          margin="dense"
          variant="outlined"
        >
          <MenuItem value="skip">{t('schedules.skip')}</MenuItem>
          <MenuItem value="run-once">{t('schedules.runOnce')}</MenuItem>
        </TextField>
        <Typography variant="subtitle1">{t('runDialog.hosts')}</Typography>
        <SelectorFields
          value={selector}
          onChange={v => {
            setSelector(v);
            setPreview(undefined);
          }}
        />
        <Button onClick={doPreview}>{t('runDialog.preview')}</Button>
        <HostPreview hosts={preview} />
        {job && job.parameters.length > 0 && (
          <>
            <Typography variant="subtitle1">
              {t('runDialog.parameters')}
            </Typography>
            <ParameterFields job={job} values={values} onChange={setValues} />
          </>
        )}
        <RunOptionsFields value={options} onChange={setOptions} />
        <Typography variant="body2" color="textSecondary">
          {t('schedules.saveHelp')}
        </Typography>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>{t('editor.cancel')}</Button>
        <Button onClick={reapprove} disabled={busy}>
          {t('schedules.reapprove')}
        </Button>
        <Button
          color="primary"
          variant="contained"
          onClick={save}
          disabled={busy || !cron || !timeZone}
        >
          {t('schedules.save')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
