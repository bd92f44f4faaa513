import { useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  TextField,
} from '@material-ui/core';
import { ErrorNotice, useT } from './hooks';

export interface AckDialogProps {
  alertname: string;
  onClose(): void;
  /** Acknowledges with the comment; a rejection is shown. */
  onSubmit(comment: string): Promise<void>;
}

/** Acknowledges a firing alert, with an optional comment. */
export function AckDialog(props: AckDialogProps) {
  const t = useT();
  const [comment, setComment] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async () => {
    setSaving(true);
    setError(undefined);
    try {
      await props.onSubmit(comment.trim());
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog open onClose={props.onClose} fullWidth maxWidth="sm">
      <DialogTitle>
        {t('alerts.acknowledgeTitle', { alert: props.alertname })}
      </DialogTitle>
      <DialogContent>
        <DialogContentText>{t('alerts.acknowledgeHint')}</DialogContentText>
        <TextField
          id="opsdeck-ack-comment"
          label={t('alerts.comment')}
          value={comment}
          onChange={e => setComment(e.target.value)}
          inputProps={{ maxLength: 1000, 'data-testid': 'ack-comment' }}
          fullWidth
          multiline
          margin="dense"
        />
        {error !== undefined && (
          <ErrorNotice t={t} error={error} keyName="alerts.ackFailed" />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>{t('common.cancel')}</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={saving}
          onClick={submit}
          data-testid="ack-submit"
        >
          {t('alerts.acknowledge')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
