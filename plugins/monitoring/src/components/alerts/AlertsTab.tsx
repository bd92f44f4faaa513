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
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  ErrorNotice,
  entityPath,
  formatTime,
  shortRef,
  useMonitoringClient,
  useT,
} from './hooks';

const PAGE_SIZE = 100;

function Deliveries({ event }: { event: AlertEvent }) {
  const t = useT();
  const client = useMonitoringClient();
  const deliveries = useAsync(
    () => client.deliveries(event.id),
    [client, event.id],
  );
  if (deliveries.loading) return <Progress />;
  if (deliveries.error) return <ErrorNotice t={t} error={deliveries.error} />;
  const items = deliveries.value ?? [];
  if (items.length === 0) {
    return (
      <Typography color="textSecondary">{t('deliveries.empty')}</Typography>
    );
  }
  return (
    <Table size="small" data-testid={`alert-deliveries-${event.id}`}>
      <TableHead>
        <TableRow>
          <TableCell>{t('deliveries.channel')}</TableCell>
          <TableCell>{t('deliveries.status')}</TableCell>
          <TableCell>{t('deliveries.attempts')}</TableCell>
          <TableCell>{t('deliveries.error')}</TableCell>
          <TableCell>{t('deliveries.updatedAt')}</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {items.map(d => (
          <TableRow key={d.id} data-testid={`delivery-${d.channel}`}>
            <TableCell>
              {d.channel} ({d.channelType})
            </TableCell>
            <TableCell>
              <Chip
                size="small"
                label={t(`deliveries.${d.state}`)}
                color={d.state === 'failed' ? 'secondary' : 'default'}
              />
            </TableCell>
            <TableCell>{d.attempts}</TableCell>
            <TableCell style={{ wordBreak: 'break-word' }}>
              {d.error ?? t('common.none')}
            </TableCell>
            <TableCell>{formatTime(d.updatedAt)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
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
                  </TableRow>
                  {expanded && (
                    <TableRow>
                      <TableCell />
                      <TableCell colSpan={6}>
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
    </Box>
  );
}
