import { useState } from 'react';
import { Link, Progress } from '@backstage/core-components';
import {
  Box,
  Button,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import type {
  OnCallRotation,
  RotationOverride,
  RotationShift,
  RotationView,
} from '@opsdeck/plugin-monitoring-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { DeleteDialog } from '../alerts/ActionDialog';
import {
  ErrorNotice,
  entityPath,
  formatTime,
  shortRef,
  useAbilities,
  useMonitoringClient,
  useT,
  type MonitoringT,
} from '../alerts/hooks';
import { OverrideDialog } from './OverrideDialog';
import { RotationDialog } from './RotationDialog';

function shiftText(t: MonitoringT, shift: RotationShift): string {
  if (shift.kind === 'hours')
    return t('oncall.shiftHours', { hours: shift.hours });
  return t(shift.kind === 'daily' ? 'oncall.shiftDaily' : 'oncall.shiftWeekly');
}

function Person(props: { userRef: string }) {
  const to = entityPath(props.userRef);
  return to ? (
    <Link to={to}>{shortRef(props.userRef)}</Link>
  ) : (
    <>{shortRef(props.userRef)}</>
  );
}

type Open =
  | { kind: 'new' }
  | { kind: 'edit' | 'delete' | 'override'; rotation: OnCallRotation }
  | {
      kind: 'deleteOverride';
      rotation: OnCallRotation;
      override: RotationOverride;
    }
  | undefined;

function RotationCard(props: {
  view: RotationView;
  canManage: boolean;
  setOpen(open: Open): void;
}) {
  const t = useT();
  const { rotation, schedule, overrides, onCall } = props.view;
  const { canManage, setOpen } = props;
  return (
    <Paper variant="outlined" data-testid={`rotation-${rotation.id}`}>
      <Box p={2}>
        <Box display="flex" alignItems="center" style={{ gap: 8 }}>
          <Typography variant="h6">{rotation.name}</Typography>
          <Typography color="textSecondary">
            {t('oncall.group')}: <Person userRef={rotation.group} />
          </Typography>
          <Box flexGrow={1} />
          {canManage && (
            <>
              <Button
                size="small"
                onClick={() => setOpen({ kind: 'override', rotation })}
              >
                {t('oncall.addOverride')}
              </Button>
              <Button
                size="small"
                onClick={() => setOpen({ kind: 'edit', rotation })}
              >
                {t('oncall.edit')}
              </Button>
              <Button
                size="small"
                onClick={() => setOpen({ kind: 'delete', rotation })}
              >
                {t('oncall.delete')}
              </Button>
            </>
          )}
        </Box>
        <Typography data-testid={`oncall-now-${rotation.id}`}>
          <strong>{t('oncall.nowOnCall')}:</strong>{' '}
          {onCall ? <Person userRef={onCall} /> : t('oncall.nobody')}
        </Typography>
        <Typography variant="body2" color="textSecondary">
          {shiftText(t, rotation.shift)} ·{' '}
          {t('oncall.handoff', {
            time: rotation.handoffTime,
            zone: rotation.timeZone,
            date: rotation.startDate,
          })}{' '}
          · {t('oncall.members')}: {rotation.members.map(shortRef).join(' → ')}
        </Typography>
        <Typography variant="subtitle2" style={{ marginTop: 8 }}>
          {t('oncall.schedule')}
        </Typography>
        <Table size="small" data-testid={`schedule-${rotation.id}`}>
          <TableHead>
            <TableRow>
              <TableCell>{t('oncall.from')}</TableCell>
              <TableCell>{t('oncall.until')}</TableCell>
              <TableCell>{t('oncall.person')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {schedule.map(s => (
              <TableRow key={`${s.start}-${s.user}`}>
                <TableCell>{formatTime(s.start)}</TableCell>
                <TableCell>{formatTime(s.end)}</TableCell>
                <TableCell>
                  <Person userRef={s.user} />
                  {s.override && ` (${t('oncall.overrideMark')})`}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        <Typography variant="subtitle2" style={{ marginTop: 8 }}>
          {t('oncall.overrides')}
        </Typography>
        {overrides.length === 0 && (
          <Typography variant="body2">{t('oncall.noOverrides')}</Typography>
        )}
        {overrides.map(o => (
          <Box
            key={o.id}
            display="flex"
            alignItems="center"
            data-testid={`override-${o.id}`}
          >
            <Typography variant="body2">
              <Person userRef={o.user} />: {formatTime(o.start)} –{' '}
              {formatTime(o.end)}
            </Typography>
            {canManage && (
              <Button
                size="small"
                onClick={() =>
                  setOpen({ kind: 'deleteOverride', rotation, override: o })
                }
              >
                {t('oncall.deleteOverride')}
              </Button>
            )}
          </Box>
        ))}
      </Box>
    </Paper>
  );
}

/**
 * On-call rotations of the groups the user reads: per rotation who is on
 * call now, the next handoffs and the overrides; create, edit, delete and
 * overrides with `opsdeck.monitoring.rule.manage` (hidden otherwise).
 */
export function OnCallTab() {
  const t = useT();
  const client = useMonitoringClient();
  const { canManageRules } = useAbilities();
  const rotations = useAsyncRetry(() => client.rotations(), [client]);
  const [open, setOpen] = useState<Open>();
  const saved = () => {
    setOpen(undefined);
    rotations.retry();
  };

  return (
    <Box>
      <Box display="flex" alignItems="center" mb={1} style={{ gap: 16 }}>
        {canManageRules && (
          <Button
            color="primary"
            variant="contained"
            onClick={() => setOpen({ kind: 'new' })}
          >
            {t('oncall.new')}
          </Button>
        )}
        <Button variant="outlined" onClick={rotations.retry}>
          {t('common.refresh')}
        </Button>
      </Box>
      {rotations.loading && !rotations.value && <Progress />}
      {rotations.error && <ErrorNotice t={t} error={rotations.error} />}
      {rotations.value?.length === 0 && (
        <Typography>{t('oncall.empty')}</Typography>
      )}
      <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
        {rotations.value?.map(view => (
          <RotationCard
            key={view.rotation.id}
            view={view}
            canManage={canManageRules}
            setOpen={setOpen}
          />
        ))}
      </Box>
      {open?.kind === 'new' && (
        <RotationDialog
          onClose={() => setOpen(undefined)}
          onSubmit={async input => {
            await client.createRotation(input);
            saved();
          }}
        />
      )}
      {open?.kind === 'edit' && (
        <RotationDialog
          rotation={open.rotation}
          onClose={() => setOpen(undefined)}
          onSubmit={async input => {
            await client.updateRotation(open.rotation.id, input);
            saved();
          }}
        />
      )}
      {open?.kind === 'override' && (
        <OverrideDialog
          rotation={open.rotation}
          onClose={() => setOpen(undefined)}
          onSubmit={async input => {
            await client.createOverride(open.rotation.id, input);
            saved();
          }}
        />
      )}
      {open?.kind === 'delete' && (
        <DeleteDialog
          title={t('oncall.deleteTitle', { name: open.rotation.name })}
          body={t('oncall.deleteBody', {
            group: shortRef(open.rotation.group),
          })}
          errorKey="oncall.deleteFailed"
          deleteLabel={t('oncall.delete')}
          onClose={() => setOpen(undefined)}
          onDelete={async () => {
            await client.deleteRotation(open.rotation.id);
            saved();
          }}
        />
      )}
      {open?.kind === 'deleteOverride' && (
        <DeleteDialog
          title={t('oncall.overrideDeleteTitle', {
            user: shortRef(open.override.user),
          })}
          body={t('oncall.overrideDeleteBody', {
            start: formatTime(open.override.start) ?? '',
            end: formatTime(open.override.end) ?? '',
          })}
          errorKey="oncall.deleteFailed"
          deleteLabel={t('oncall.deleteOverride')}
          onClose={() => setOpen(undefined)}
          onDelete={async () => {
            await client.deleteOverride(open.rotation.id, open.override.id);
            saved();
          }}
        />
      )}
    </Box>
  );
}
