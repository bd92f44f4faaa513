import { useState } from 'react';
import { TextField } from '@material-ui/core';
import type {
  OnCallRotation,
  RotationOverrideInput,
} from '@opsdeck/plugin-monitoring-common';
import { ActionDialog, useAttempt } from '../alerts/ActionDialog';
import { useT } from '../alerts/hooks';
import { RefPicker, useCatalogRefs } from './CatalogRefPicker';

/** `YYYY-MM-DDTHH:mm` of a date in the browser's time zone (a datetime-local value). */
function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(
    d.getHours(),
  )}:${pad(d.getMinutes())}`;
}

/**
 * A person of the rotation's group (picked from the catalog) covers it from
 * a start until an end, given in the browser's time zone.
 */
export function OverrideDialog(props: {
  rotation: OnCallRotation;
  onClose(): void;
  onSubmit(input: RotationOverrideInput): Promise<void>;
}) {
  const t = useT();
  const users = useCatalogRefs({
    kind: 'user',
    memberOf: props.rotation.group,
  });
  const [user, setUser] = useState('');
  const now = new Date();
  const [start, setStart] = useState(localInput(now));
  const [end, setEnd] = useState(
    localInput(new Date(now.getTime() + 8 * 3_600_000)),
  );
  const [touched, setTouched] = useState(false);
  const { busy, error, attempt } = useAttempt();
  const userMissing = user === '';
  const rangeMissing =
    Number.isNaN(Date.parse(start)) || Number.isNaN(Date.parse(end));

  const submit = async () => {
    setTouched(true);
    if (userMissing || rangeMissing) return;
    await attempt(() =>
      props.onSubmit({
        user,
        // datetime-local values are the browser's local time
        start: new Date(start).toISOString(),
        end: new Date(end).toISOString(),
      }),
    );
  };

  return (
    <ActionDialog
      form
      title={t('overrideDialog.title', { name: props.rotation.name })}
      onClose={props.onClose}
      error={error}
      errorKey="overrideDialog.refused"
      busy={busy}
      actionLabel={t('overrideDialog.submit')}
      onAction={submit}
    >
      <RefPicker
        id="override-user"
        label={t('overrideDialog.user')}
        options={users.value ?? []}
        loading={users.loading}
        value={user}
        onChange={setUser}
        error={touched && userMissing}
        helperText={
          touched && userMissing ? t('overrideDialog.userRequired') : ''
        }
      />
      <TextField
        id="override-start"
        type="datetime-local"
        label={t('overrideDialog.start')}
        value={start}
        onChange={e => setStart(e.target.value)}
        fullWidth
        margin="dense"
        variant="outlined"
        InputLabelProps={{ shrink: true }}
        error={touched && rangeMissing}
      />
      <TextField
        id="override-end"
        type="datetime-local"
        label={t('overrideDialog.end')}
        value={end}
        onChange={e => setEnd(e.target.value)}
        fullWidth
        margin="dense"
        variant="outlined"
        InputLabelProps={{ shrink: true }}
        error={touched && rangeMissing}
        helperText={
          touched && rangeMissing ? t('overrideDialog.rangeRequired') : ''
        }
      />
    </ActionDialog>
  );
}
