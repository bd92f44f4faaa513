import { useState } from 'react';
import { TextField } from '@material-ui/core';
import Autocomplete from '@material-ui/lab/Autocomplete';
import type {
  RuleTemplateSummary,
  SilenceInput,
} from '@opsdeck/plugin-monitoring-common';
import { EntityPicker } from './EntityPicker';
import { ActionDialog, useAttempt } from './ActionDialog';
import { useT } from './hooks';

/** Silence durations offered, in minutes (the backend takes 1 to 10080). */
export const SILENCE_MINUTES = [30, 60, 120, 240, 1440, 10080] as const;

export interface SilenceDialogProps {
  /** Alert names offered (the templates' alerts); any other may be typed. */
  templates: RuleTemplateSummary[];
  /** Entity picked beforehand (e.g. from an alert). */
  entityRef?: string;
  alertname?: string;
  onClose(): void;
  /** Creates the silence; a rejection is shown. */
  onSubmit(input: SilenceInput): Promise<void>;
}

/** Silences one catalog entity's alerts (optionally one alert name) for a while. */
export function SilenceDialog(props: SilenceDialogProps) {
  const t = useT();
  const [entityRef, setEntityRef] = useState(props.entityRef ?? '');
  const [alertname, setAlertname] = useState(props.alertname ?? '');
  const [minutes, setMinutes] = useState<number>(60);
  const [comment, setComment] = useState('');
  const [touched, setTouched] = useState(false);
  const { busy: saving, error, attempt } = useAttempt();
  const entityMissing = entityRef === '';
  const commentMissing = comment.trim() === '';

  const submit = async () => {
    setTouched(true);
    if (entityMissing || commentMissing) return;
    await attempt(() =>
      props.onSubmit({
        entityRef,
        ...(alertname.trim() ? { alertname: alertname.trim() } : {}),
        minutes,
        comment: comment.trim(),
      }),
    );
  };

  return (
    <ActionDialog
      form
      title={t('silenceDialog.title')}
      onClose={props.onClose}
      error={error}
      errorKey="silenceDialog.refused"
      busy={saving}
      actionLabel={t('silenceDialog.submit')}
      onAction={submit}
    >
      <EntityPicker
        id="silence-entity"
        label={t('silenceDialog.entity')}
        value={entityRef}
        onChange={setEntityRef}
        error={touched && entityMissing}
        helperText={
          touched && entityMissing ? t('silenceDialog.entityRequired') : ''
        }
      />
      <Autocomplete
        id="silence-alertname"
        freeSolo
        options={[...new Set(props.templates.map(x => x.alert))]}
        inputValue={alertname}
        onInputChange={(_e, value) => setAlertname(value)}
        renderInput={params => (
          <TextField
            {...params}
            label={t('silenceDialog.alertname')}
            helperText={t('silenceDialog.alertnameHelp')}
            margin="dense"
            variant="outlined"
            inputProps={{ ...params.inputProps, maxLength: 255 }}
          />
        )}
      />
      <TextField
        id="silence-duration"
        select
        label={t('silenceDialog.duration')}
        value={String(minutes)}
        onChange={e => setMinutes(Number(e.target.value))}
        SelectProps={{ native: true }}
        fullWidth
        margin="dense"
        variant="outlined"
      >
        {SILENCE_MINUTES.map(m => (
          <option key={m} value={String(m)}>
            {t(`silenceDialog.m${m}`)}
          </option>
        ))}
      </TextField>
      <TextField
        id="silence-comment"
        label={t('silenceDialog.comment')}
        value={comment}
        onChange={e => setComment(e.target.value)}
        error={touched && commentMissing}
        helperText={
          touched && commentMissing ? t('silenceDialog.commentRequired') : ''
        }
        fullWidth
        multiline
        minRows={2}
        margin="dense"
        variant="outlined"
        inputProps={{ maxLength: 1000 }}
      />
    </ActionDialog>
  );
}
