import { useState } from 'react';
import { Box, IconButton, TextField, Typography } from '@material-ui/core';
import ArrowUpward from '@material-ui/icons/ArrowUpward';
import Autocomplete from '@material-ui/lab/Autocomplete';
import type {
  OnCallRotation,
  RotationInput,
  RotationShift,
} from '@opsdeck/plugin-monitoring-common';
import { ActionDialog, useAttempt } from '../alerts/ActionDialog';
import { shortRef, useT } from '../alerts/hooks';
import { RefPicker, RefsPicker, useCatalogRefs } from './CatalogRefPicker';

/** The IANA time zones the browser knows (the backend checks the one given). */
function timeZones(): string[] {
  const intl = Intl as unknown as {
    supportedValuesOf?: (key: string) => string[];
  };
  const zones = intl.supportedValuesOf?.('timeZone') ?? [];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

const browserZone = () =>
  new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const today = () => {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};

/**
 * Creates an on-call rotation of a catalog group, or edits `rotation`: the
 * group and its members picked from the catalog (never typed), in turn
 * order; shift, handoff time, IANA time zone and start date.
 */
export function RotationDialog(props: {
  rotation?: OnCallRotation;
  onClose(): void;
  onSubmit(input: RotationInput): Promise<void>;
}) {
  const t = useT();
  const r = props.rotation;
  const [name, setName] = useState(r?.name ?? '');
  const [group, setGroup] = useState(r?.group ?? '');
  const [members, setMembers] = useState<string[]>(r?.members ?? []);
  const [kind, setKind] = useState<RotationShift['kind']>(
    r?.shift.kind ?? 'weekly',
  );
  const [hours, setHours] = useState(
    r?.shift.kind === 'hours' ? String(r.shift.hours) : '12',
  );
  const [handoffTime, setHandoffTime] = useState(r?.handoffTime ?? '09:00');
  const [timeZone, setTimeZone] = useState(r?.timeZone ?? browserZone());
  const [startDate, setStartDate] = useState(r?.startDate ?? today());
  const [touched, setTouched] = useState(false);
  const { busy, error, attempt } = useAttempt();
  const groups = useCatalogRefs({ kind: 'group' });
  const users = useCatalogRefs({ kind: 'user', memberOf: group });

  const nameMissing = name.trim() === '';
  const groupMissing = group === '';
  const membersMissing = members.length === 0;

  const submit = async () => {
    setTouched(true);
    if (nameMissing || groupMissing || membersMissing) return;
    const shift: RotationShift =
      kind === 'hours' ? { kind, hours: Number(hours) } : { kind };
    await attempt(() =>
      props.onSubmit({
        group,
        name: name.trim(),
        members,
        shift,
        handoffTime,
        timeZone,
        startDate,
      }),
    );
  };

  const moveUp = (i: number) =>
    setMembers(m => [...m.slice(0, i - 1), m[i], m[i - 1], ...m.slice(i + 1)]);

  return (
    <ActionDialog
      form
      title={
        r
          ? t('rotationDialog.editTitle', { name: r.name })
          : t('rotationDialog.title')
      }
      onClose={props.onClose}
      error={error}
      errorKey="rotationDialog.refused"
      busy={busy}
      actionLabel={r ? t('rotationDialog.save') : t('rotationDialog.submit')}
      onAction={submit}
    >
      <TextField
        id="rotation-name"
        label={t('rotationDialog.name')}
        value={name}
        onChange={e => setName(e.target.value)}
        error={touched && nameMissing}
        helperText={
          touched && nameMissing ? t('rotationDialog.nameRequired') : ''
        }
        fullWidth
        margin="dense"
        variant="outlined"
        inputProps={{ maxLength: 100 }}
      />
      <RefPicker
        id="rotation-group"
        label={t('rotationDialog.group')}
        options={groups.value ?? []}
        loading={groups.loading}
        value={group}
        onChange={next => {
          setGroup(next);
          if (next !== group) setMembers([]);
        }}
        error={touched && groupMissing}
        helperText={
          touched && groupMissing ? t('rotationDialog.groupRequired') : ''
        }
      />
      <RefsPicker
        id="rotation-members"
        label={t('rotationDialog.members')}
        options={users.value ?? []}
        loading={users.loading}
        value={members}
        onChange={setMembers}
        error={touched && membersMissing}
        helperText={
          touched && membersMissing
            ? t('rotationDialog.membersRequired')
            : t('rotationDialog.membersHelp')
        }
      />
      {members.length > 1 && (
        <Box component="ol" my={0} data-testid="rotation-order">
          {members.map((m, i) => (
            <li key={m}>
              <Typography variant="body2" component="span">
                {shortRef(m)}
              </Typography>
              {i > 0 && (
                <IconButton
                  size="small"
                  aria-label={`↑ ${shortRef(m)}`}
                  onClick={() => moveUp(i)}
                >
                  <ArrowUpward fontSize="inherit" />
                </IconButton>
              )}
            </li>
          ))}
        </Box>
      )}
      <TextField
        id="rotation-shift"
        select
        label={t('rotationDialog.shift')}
        value={kind}
        onChange={e => setKind(e.target.value as RotationShift['kind'])}
        SelectProps={{ native: true }}
        fullWidth
        margin="dense"
        variant="outlined"
      >
        <option value="daily">{t('oncall.shiftDaily')}</option>
        <option value="weekly">{t('oncall.shiftWeekly')}</option>
        <option value="hours">{t('oncall.shiftHours', { hours: 'N' })}</option>
      </TextField>
      {kind === 'hours' && (
        <TextField
          id="rotation-hours"
          label={t('rotationDialog.hours')}
          value={hours}
          onChange={e => setHours(e.target.value)}
          helperText={t('rotationDialog.hoursHelp')}
          fullWidth
          margin="dense"
          variant="outlined"
          inputProps={{ inputMode: 'numeric', maxLength: 3 }}
        />
      )}
      <TextField
        id="rotation-handoff"
        type="time"
        label={t('rotationDialog.handoffTime')}
        value={handoffTime}
        onChange={e => setHandoffTime(e.target.value)}
        fullWidth
        margin="dense"
        variant="outlined"
        InputLabelProps={{ shrink: true }}
      />
      <Autocomplete
        id="rotation-zone"
        options={timeZones()}
        value={timeZone}
        disableClearable
        onChange={(_e, next) => setTimeZone(next ?? timeZone)}
        renderInput={params => (
          <TextField
            {...params}
            margin="dense"
            variant="outlined"
            label={t('rotationDialog.timeZone')}
          />
        )}
      />
      <TextField
        id="rotation-start"
        type="date"
        label={t('rotationDialog.startDate')}
        value={startDate}
        onChange={e => setStartDate(e.target.value)}
        fullWidth
        margin="dense"
        variant="outlined"
        InputLabelProps={{ shrink: true }}
      />
    </ActionDialog>
  );
}
