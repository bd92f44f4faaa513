import { useState } from 'react';
import {
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { Job, Language, Run, RunOptions, TargetHost } from '../api';

import {
  emptySelector,
  SelectorDraft,
  SelectorFields,
  toSelector,
  useErrorText,
  useJobsClient,
  useT,
} from './common';

/** Values for a job's parameters (a secret's value names a vault credential). */
export function ParameterFields(props: {
  job: Job;
  values: Record<string, string>;
  onChange(values: Record<string, string>): void;
}) {
  const t = useT();
  return (
    <>
      {props.job.parameters.map(p => {
        const common = {
          id: `jobs-param-${p.name}`,
          label: p.label ?? p.name,
          value: props.values[p.name] ?? '',
          required: p.required,
          margin: 'dense' as const,
          variant: 'outlined' as const,
          fullWidth: true,
          onChange: (e: { target: { value: string } }) =>
            props.onChange({ ...props.values, [p.name]: e.target.value }),
        };
        if (p.type === 'choice') {
          return (
            <TextField key={p.name} select {...common}>
              {(p.choices ?? []).map(c => (
                <MenuItem key={c} value={c}>
                  {c}
                </MenuItem>
              ))}
            </TextField>
          );
        }
        return (
          <TextField
            key={p.name}
            {...common}
            type={p.type === 'number' ? 'number' : 'text'}
            helperText={
              p.type === 'secret' ? t('runDialog.secretHelp') : undefined
            }
            inputProps={{ 'aria-label': p.name }}
          />
        );
      })}
    </>
  );
}

/** Run options as typed: numbers stay strings until submitted. */
export type RunOptionsDraft = {
  concurrency: string;
  timeoutSeconds: string;
  retries: string;
  stopOnFirstFailure: boolean;
};

export function toRunOptionsDraft(o: RunOptions = {}): RunOptionsDraft {
  return {
    concurrency: String(o.concurrency ?? 10),
    timeoutSeconds: String(o.timeoutSeconds ?? 300),
    retries: String(o.retries ?? 0),
    stopOnFirstFailure: o.stopOnFirstFailure ?? false,
  };
}

export function toRunOptions(d: RunOptionsDraft): Required<RunOptions> {
  return {
    concurrency: Number(d.concurrency),
    timeoutSeconds: Number(d.timeoutSeconds),
    retries: Number(d.retries),
    stopOnFirstFailure: d.stopOnFirstFailure,
  };
}

/** Concurrency, per-host timeout, retries and stop-on-first-failure. */
export function RunOptionsFields(props: {
  value: RunOptionsDraft;
  onChange(value: RunOptionsDraft): void;
}) {
  const t = useT();
  const num = (
    key: 'concurrency' | 'timeoutSeconds' | 'retries',
    label: string,
  ) => (
    <TextField
      id={`jobs-option-${key}`}
      label={label}
      value={props.value[key]}
      onChange={e => props.onChange({ ...props.value, [key]: e.target.value })}
      type="number"
      margin="dense"
      variant="outlined"
    />
  );
  return (
    <>
      <Typography variant="subtitle1">{t('runDialog.options')}</Typography>
      <Box display="flex" style={{ gap: 8 }}>
        {num('concurrency', t('runDialog.concurrency'))}
        {num('timeoutSeconds', t('runDialog.timeout'))}
        {num('retries', t('runDialog.retries'))}
      </Box>
      <FormControlLabel
        control={
          <Checkbox
            checked={props.value.stopOnFirstFailure}
            onChange={e =>
              props.onChange({
                ...props.value,
                stopOnFirstFailure: e.target.checked,
              })
            }
          />
        }
        label={t('runDialog.stopOnFailure')}
      />
    </>
  );
}

/** The hosts a selector resolved to (the preview endpoint's answer). */
export function HostPreview(props: { hosts?: TargetHost[] }) {
  const t = useT();
  if (!props.hosts) return null;
  return (
    <Box data-testid="jobs-preview" my={1}>
      {props.hosts.length === 0 ? (
        <Alert severity="warning">{t('runDialog.previewNone')}</Alert>
      ) : (
        <Typography variant="body2">
          {t('runDialog.previewCount', { count: props.hosts.length })}:{' '}
          {props.hosts
            .map(h => `${h.name} (${h.address}:${h.port})`)
            .join(', ')}
        </Typography>
      )}
    </Box>
  );
}

const LANGUAGES: Language[] = ['sh', 'bash', 'python'];

/**
 * Choose hosts (with a preview), parameter values and options; start the run.
 * Without a job it runs an ad-hoc command typed in the dialog.
 */
export function RunDialog(props: {
  job?: Job;
  /** The hosts the dialog opens with (the Hosts page's selection). */
  initialSelector?: SelectorDraft;
  onClose(): void;
  onStarted(run: Run): void;
}) {
  const t = useT();
  const client = useJobsClient();
  const errorText = useErrorText();
  const { job } = props;
  const adhoc = !job;
  const [language, setLanguage] = useState<Language>('sh');
  const [script, setScript] = useState('');
  const [selector, setSelector] = useState<SelectorDraft>(
    props.initialSelector ?? emptySelector,
  );
  const [preview, setPreview] = useState<TargetHost[]>();
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      (job?.parameters ?? [])
        .filter(p => p.default)
        .map(p => [p.name, p.default!]),
    ),
  );
  const [options, setOptions] = useState(() => toRunOptionsDraft());
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const doPreview = async () => {
    setError(undefined);
    try {
      setPreview(await client.preview(toSelector(selector)));
    } catch (e) {
      setError(errorText(e));
    }
  };

  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const params = Object.fromEntries(
        Object.entries(values).filter(([, v]) => v !== ''),
      );
      const run = await client.startRun({
        ...(job ? { job: job.id } : { adhoc: { language, script } }),
        selector: toSelector(selector),
        params,
        options: toRunOptions(options),
      });
      props.onStarted(run);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open onClose={props.onClose} maxWidth="sm" fullWidth>
      <DialogTitle>
        {job ? t('runDialog.title', { name: job.name }) : t('adhoc.title')}
      </DialogTitle>
      <DialogContent>
        {error && <Alert severity="error">{error}</Alert>}
        {adhoc && (
          <>
            <TextField
              id="jobs-adhoc-language"
              select
              label={t('jobs.language')}
              value={language}
              onChange={e => setLanguage(e.target.value as Language)}
              margin="dense"
              variant="outlined"
            >
              {LANGUAGES.map(l => (
                <MenuItem key={l} value={l}>
                  {l}
                </MenuItem>
              ))}
            </TextField>
            <TextField
              id="jobs-adhoc-script"
              label={t('adhoc.script')}
              helperText={t('adhoc.help')}
              value={script}
              onChange={e => setScript(e.target.value)}
              multiline
              minRows={3}
              fullWidth
              required
              margin="dense"
              variant="outlined"
              inputProps={{ style: { fontFamily: 'monospace' } }}
            />
          </>
        )}
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
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>{t('editor.cancel')}</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={start}
          disabled={busy || (adhoc && !script.trim())}
        >
          {t('runDialog.start')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
