import { useState } from 'react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  TextField,
  Typography,
} from '@material-ui/core';
import { sqlTranslationRef } from '../translation/translation';

/**
 * GitHub-style confirmation for a production instance: the action runs only
 * once the person has typed the instance's name (sent as `confirm`).
 */
export function ConfirmProdDialog(props: {
  instanceName: string;
  action: string;
  open: boolean;
  onCancel(): void;
  onConfirm(typed: string): void;
}) {
  const { t } = useTranslationRef(sqlTranslationRef);
  const [typed, setTyped] = useState('');
  const close = () => {
    setTyped('');
    props.onCancel();
  };
  return (
    <Dialog
      open={props.open}
      onClose={close}
      aria-labelledby="sql-prod-confirm-title"
    >
      <DialogTitle id="sql-prod-confirm-title">
        {t('confirm.title', { action: props.action })}
      </DialogTitle>
      <DialogContent>
        <Typography variant="body2" gutterBottom>
          {t('confirm.body', { name: props.instanceName })}
        </Typography>
        <TextField
          id="sql-prod-confirm-name"
          label={t('confirm.label')}
          value={typed}
          onChange={e => setTyped(e.target.value)}
          fullWidth
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>{t('confirm.cancel')}</Button>
        <Button
          color="secondary"
          variant="contained"
          disabled={typed !== props.instanceName}
          onClick={() => {
            const value = typed;
            setTyped('');
            props.onConfirm(value);
          }}
        >
          {t('confirm.go', { action: props.action })}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
