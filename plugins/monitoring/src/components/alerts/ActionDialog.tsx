import { useState, type ReactNode } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
} from '@material-ui/core';
import { ErrorNotice, useT } from './hooks';

/**
 * The frame of the monitoring dialogs: a title, the content, the failure of
 * the last attempt (`error`, in the words of `errorKey`), Cancel and one
 * action button, disabled while `busy`.
 */
export function ActionDialog(props: {
  title: ReactNode;
  children: ReactNode;
  onClose(): void;
  error: unknown;
  errorKey: string;
  busy: boolean;
  actionLabel: ReactNode;
  onAction(): void;
  /** `secondary` for a destructive action. */
  color?: 'primary' | 'secondary';
  actionTestId?: string;
  /** A form: full width up to `sm`; a confirmation: as wide as its text. */
  form?: boolean;
}) {
  const t = useT();
  return (
    <Dialog
      open
      onClose={props.onClose}
      {...(props.form ? { fullWidth: true, maxWidth: 'sm' as const } : {})}
    >
      <DialogTitle>{props.title}</DialogTitle>
      <DialogContent>
        {props.children}
        {props.error !== undefined && (
          <ErrorNotice t={t} error={props.error} keyName={props.errorKey} />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>{t('common.cancel')}</Button>
        <Button
          color={props.color ?? 'primary'}
          variant="contained"
          disabled={props.busy}
          onClick={props.onAction}
          data-testid={props.actionTestId}
        >
          {props.actionLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * The state of a form dialog's action: `busy` while `attempt` runs it, and
 * its failure (`error`, cleared when it is tried again).
 */
export function useAttempt() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const attempt = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, attempt };
}

/**
 * Asks before deleting; a refusal is shown in the dialog and the button is
 * enabled again. The caller closes the dialog when `onDelete` succeeds.
 */
export function DeleteDialog(props: {
  title: ReactNode;
  body: ReactNode;
  errorKey: string;
  deleteLabel: ReactNode;
  onClose(): void;
  onDelete(): Promise<void>;
}) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <ActionDialog
      title={props.title}
      onClose={props.onClose}
      error={error}
      errorKey={props.errorKey}
      busy={busy}
      color="secondary"
      actionLabel={props.deleteLabel}
      onAction={async () => {
        setBusy(true);
        try {
          await props.onDelete();
        } catch (e) {
          setError(e);
          setBusy(false);
        }
      }}
    >
      <DialogContentText>{props.body}</DialogContentText>
    </ActionDialog>
  );
}
