import { useState } from 'react';
import {
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
import { Job } from '../api';
import {
  emptySelector,
  SelectorDraft,
  SelectorFields,
  toSelector,
  useErrorText,
  useJobsClient,
  useT,
} from './common';
import { ParameterFields } from './RunDialog';

export function ScheduleDialog(props: {
  jobs: Job[];
  onClose(): void;
  onCreated(): void;
}) {
  const t = useT();
  const client = useJobsClient();
  const errorText = useErrorText();
  const [name, setName] = useState('');
  const [jobId, setJobId] = useState(props.jobs[0]?.id ?? '');
  const [cron, setCron] = useState('0 3 * * *');
  const [timeZone, setTimeZone] = useState(
    new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  );
  const [missedPolicy, setMissedPolicy] = useState<'skip' | 'run-once'>('skip');
  const [selector, setSelector] = useState<SelectorDraft>(emptySelector);
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const job = props.jobs.find(j => j.id === jobId);
  const text = (
    id: string,
    label: string,
    value: string,
    set: (v: string) => void,
    help?: string,
  ) => (
    <TextField
      id={`jobs-schedule-${id}`}
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
  const create = async () => {
    setError(undefined);
    try {
      await client.createSchedule({
        name,
        job: jobId,
        cron,
        timeZone,
        missedPolicy,
        selector: toSelector(selector),
        params: Object.fromEntries(
          Object.entries(values).filter(([, v]) => v !== ''),
        ),
      });
      props.onCreated();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Dialog open onClose={props.onClose} maxWidth="sm" fullWidth>
      <DialogTitle>{t('schedules.new')}</DialogTitle>
      <DialogContent>
        {error && <Alert severity="error">{error}</Alert>}
        {text('name', t('schedules.name'), name, setName)}
        <TextField
          id="jobs-schedule-job"
          select
          label={t('schedules.job')}
          value={jobId}
          onChange={e => setJobId(e.target.value as string)}
          fullWidth
          margin="dense"
          variant="outlined"
        >
          {props.jobs.map(j => (
            <MenuItem key={j.id} value={j.id}>
              {j.name}
            </MenuItem>
          ))}
        </TextField>
        {text(
          'cron',
          t('schedules.cron'),
          cron,
          setCron,
          t('schedules.cronHelp'),
        )}
        {text('tz', t('schedules.timeZone'), timeZone, setTimeZone)}
        <TextField
          id="jobs-schedule-missed"
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
        <SelectorFields value={selector} onChange={setSelector} />
        {job && job.parameters.length > 0 && (
          <ParameterFields job={job} values={values} onChange={setValues} />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>{t('editor.cancel')}</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={create}
          disabled={!name || !jobId}
        >
          {t('schedules.create')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
