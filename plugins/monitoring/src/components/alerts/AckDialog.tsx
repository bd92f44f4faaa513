import { useState } from 'react';
import { DialogContentText, TextField } from '@material-ui/core';
import { ActionDialog, useAttempt } from './ActionDialog';
import { useT } from './hooks';

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
  const { busy: saving, error, attempt } = useAttempt();

  const submit = async () => {
    await attempt(() => props.onSubmit(comment.trim()));
  };

  return (
    <ActionDialog
      form
      title={t('alerts.acknowledgeTitle', { alert: props.alertname })}
      onClose={props.onClose}
      error={error}
      errorKey="alerts.ackFailed"
      busy={saving}
      actionLabel={t('alerts.acknowledge')}
      onAction={submit}
      actionTestId="ack-submit"
    >
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
    </ActionDialog>
  );
}
