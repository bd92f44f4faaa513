import { FormEvent, ReactNode } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';

/** A dialog around one form: title, the action's error, Cancel and submit. */
export function FormDialog(props: {
  open: boolean;
  title: string;
  error?: string;
  cancelLabel: string;
  submitLabel: string;
  submitDisabled: boolean;
  onClose(): void;
  onSubmit(e: FormEvent): void;
  children: ReactNode;
}) {
  return (
    <Dialog open={props.open} onClose={props.onClose} fullWidth maxWidth="sm">
      <form onSubmit={props.onSubmit} aria-label={props.title}>
        <DialogTitle>{props.title}</DialogTitle>
        <DialogContent>
          {props.error && <Alert severity="error">{props.error}</Alert>}
          {props.children}
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClose}>{props.cancelLabel}</Button>
          <Button type="submit" color="primary" disabled={props.submitDisabled}>
            {props.submitLabel}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
