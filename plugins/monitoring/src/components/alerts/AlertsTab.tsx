import { Fragment, useState } from 'react';
import { Link, Progress } from '@backstage/core-components';
import {
  Box,
  Button,
  Chip,
  IconButton,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import KeyboardArrowDownIcon from '@material-ui/icons/KeyboardArrowDown';
import KeyboardArrowRightIcon from '@material-ui/icons/KeyboardArrowRight';
import type { AlertEvent } from '@opsdeck/plugin-monitoring-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { AckDialog } from './AckDialog';
import { Deliveries } from './DeliveriesTable';
import {
  ErrorNotice,
  entityPath,
  formatTime,
  shortRef,
  useAbilities,
  useMonitoringClient,
  useT,
} from './hooks';

const PAGE_SIZE = 100;

/**
 * The acknowledgement of a firing state (who, when, why) and, for those who
 * may acknowledge (opsdeck.monitoring.alert.acknowledge), the button that
 * changes it. Resolved alerts need none; test sends have none.
 */
function Acknowledgement(props: {
  event: AlertEvent;
  canAcknowledge: boolean;
  onAcknowledge(): void;
  onUnacknowledge(): Promise<void>;
}) {
  const t = useT();
  const { event } = props;
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  if (event.status !== 'firing' || event.test) return null;
  const ack = event.acknowledgement;
  const unack = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onUnacknowledge();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box display="flex" alignItems="center" flexWrap="wrap" style={{ gap: 8 }}>
      {ack ? (
        <Chip
          size="small"
          color="primary"
          data-testid={`ack-state-${event.id}`}
          label={t('alerts.ackedBy', { by: shortRef(ack.by) })}
          title={t('alerts.ackedAt', {
            time: formatTime(ack.at) ?? ack.at,
            comment: ack.comment ?? t('common.none'),
          })}
        />
      ) : (
        !event.resolved && (
          <Typography
            variant="body2"
            color="textSecondary"
            data-testid={`ack-state-${event.id}`}
          >
            {t('alerts.unacknowledged')}
          </Typography>
        )
      )}
      {event.escalationStep ? (
        <Chip
          size="small"
          variant="outlined"
          label={
            event.escalationStep === 1
              ? t('alerts.escalated')
              : t('alerts.reminder', { n: event.escalationStep - 1 })
          }
        />
      ) : null}
      {props.canAcknowledge && !event.resolved && !ack && (
        <Button size="small" variant="outlined" onClick={props.onAcknowledge}>
          {t('alerts.acknowledge')}
        </Button>
      )}
      {props.canAcknowledge && !event.resolved && ack && (
        <Button size="small" disabled={busy} onClick={unack}>
          {t('alerts.unacknowledge')}
        </Button>
      )}
      {error !== undefined && (
        <ErrorNotice t={t} error={error} keyName="alerts.ackFailed" />
      )}
    </Box>
  );
}

function EntityLink({ entityRef }: { entityRef?: string }) {
  const t = useT();
  if (!entityRef) return <>{t('common.none')}</>;
  const to = entityPath(entityRef);
  return to ? <Link to={to}>{shortRef(entityRef)}</Link> : <>{entityRef}</>;
}

/** Recent alert states received from Alertmanager, each with its deliveries. */
export function AlertsTab() {
  const t = useT();
  const client = useMonitoringClient();
  const alerts = useAsyncRetry(
    () => client.alerts({ limit: PAGE_SIZE }),
    [client],
  );
  const { canAcknowledge } = useAbilities();
  const [acking, setAcking] = useState<AlertEvent>();
  const [open, setOpen] = useState<number[]>([]);
  const toggle = (id: number) =>
    setOpen(o => (o.includes(id) ? o.filter(x => x !== id) : [...o, id]));

  return (
    <Box>
      <Box display="flex" alignItems="center" mb={1} style={{ gap: 16 }}>
        <Button variant="outlined" onClick={alerts.retry}>
          {t('common.refresh')}
        </Button>
        {alerts.value && (
          <Typography color="textSecondary">
            {t('alerts.total', { count: alerts.value.total })}
          </Typography>
        )}
      </Box>
      {alerts.loading && !alerts.value && <Progress />}
      {alerts.error && <ErrorNotice t={t} error={alerts.error} />}
      {alerts.value && alerts.value.items.length === 0 && (
        <Typography>{t('alerts.empty')}</Typography>
      )}
      {alerts.value && alerts.value.items.length > 0 && (
        <Table size="small" data-testid="alerts-table">
          <TableHead>
            <TableRow>
              <TableCell padding="checkbox" />
              <TableCell>{t('alerts.status')}</TableCell>
              <TableCell>{t('alerts.alertname')}</TableCell>
              <TableCell>{t('alerts.entity')}</TableCell>
              <TableCell>{t('alerts.severity')}</TableCell>
              <TableCell>{t('alerts.startsAt')}</TableCell>
              <TableCell>{t('alerts.summary')}</TableCell>
              <TableCell>{t('alerts.acknowledgement')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {alerts.value.items.map(event => {
              const expanded = open.includes(event.id);
              return (
                <Fragment key={event.id}>
                  <TableRow data-testid={`alert-${event.id}`}>
                    <TableCell padding="checkbox">
                      <IconButton
                        size="small"
                        aria-expanded={expanded}
                        aria-label={t(
                          expanded
                            ? 'alerts.hideDeliveries'
                            : 'alerts.showDeliveries',
                          { alert: event.alertname },
                        )}
                        onClick={() => toggle(event.id)}
                      >
                        {expanded ? (
                          <KeyboardArrowDownIcon />
                        ) : (
                          <KeyboardArrowRightIcon />
                        )}
                      </IconButton>
                    </TableCell>
                    <TableCell>
                      <Chip
                        size="small"
                        label={
                          event.stale
                            ? t('alerts.resolvedStale')
                            : t(`alerts.${event.status}`)
                        }
                        title={event.stale ? t('alerts.staleHint') : undefined}
                        color={
                          event.status === 'firing' ? 'secondary' : 'default'
                        }
                      />
                      {event.test && (
                        <Chip
                          size="small"
                          variant="outlined"
                          label={t('alerts.test')}
                        />
                      )}
                    </TableCell>
                    <TableCell>{event.alertname}</TableCell>
                    <TableCell>
                      <EntityLink entityRef={event.entityRef} />
                    </TableCell>
                    <TableCell>{event.severity ?? t('common.none')}</TableCell>
                    <TableCell>{formatTime(event.startsAt)}</TableCell>
                    <TableCell>{event.summary ?? ''}</TableCell>
                    <TableCell>
                      <Acknowledgement
                        event={event}
                        canAcknowledge={canAcknowledge}
                        onAcknowledge={() => setAcking(event)}
                        onUnacknowledge={async () => {
                          await client.unacknowledge(event.id);
                          alerts.retry();
                        }}
                      />
                    </TableCell>
                  </TableRow>
                  {expanded && (
                    <TableRow>
                      <TableCell />
                      <TableCell colSpan={7}>
                        <Typography variant="subtitle2">
                          {t('alerts.deliveries')}
                        </Typography>
                        <Deliveries event={event} />
                      </TableCell>
                    </TableRow>
                  )}
                </Fragment>
              );
            })}
          </TableBody>
        </Table>
      )}
      {acking && (
        <AckDialog
          alertname={acking.alertname}
          onClose={() => setAcking(undefined)}
          onSubmit={async comment => {
            await client.acknowledge(acking.id, comment || undefined);
            setAcking(undefined);
            alerts.retry();
          }}
        />
      )}
    </Box>
  );
}
