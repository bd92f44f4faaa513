import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
} from '@material-ui/core';
import { useT } from './hooks';

/** Asks before a change to a workload. */
export function ConfirmDialog(props: {
  text?: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const t = useT();
  return (
    <Dialog open={Boolean(props.text)} onClose={props.onCancel}>
      <DialogContent>
        <DialogContentText>{props.text}</DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel}>{t('confirm.cancel')}</Button>
        <Button color="primary" variant="contained" onClick={props.onConfirm}>
          {t('confirm.ok')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
