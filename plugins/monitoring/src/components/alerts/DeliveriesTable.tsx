import { useState } from 'react';
import { Progress } from '@backstage/core-components';
import {
  Button,
  Chip,
  DialogContentText,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import type { AlertEvent } from '@opsdeck/plugin-monitoring-common';
import type { MonitoringClient } from '../../api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { ActionDialog } from './ActionDialog';
import {
  ErrorNotice,
  formatTime,
  useAbilities,
  useMonitoringClient,
  useT,
  type MonitoringT,
} from './hooks';

/** What a delivery or escalation step was: the alert, the escalation, reminder n. */
function stepLabel(t: MonitoringT, step?: number): string {
  if (!step) return t('deliveries.stepAlert');
  if (step === 1) return t('deliveries.stepEscalation');
  return t('deliveries.stepReminder', { n: step - 1 });
}

type AlertDelivery = Awaited<
  ReturnType<MonitoringClient['deliveries']>
>[number];

const retryable = (d: AlertDelivery) =>
  d.state === 'failed' || d.state === 'unknown';

/**
 * Every channel delivery of one alert state. Those who may send deliveries
 * again (opsdeck.monitoring.rule.manage) get Send again on a failed one and,
 * after a confirmation that it may go out twice, on an unknown one.
 */
export function Deliveries({ event }: { event: AlertEvent }) {
  const t = useT();
  const client = useMonitoringClient();
  const { canRetryDeliveries } = useAbilities();
  const deliveries = useAsyncRetry(
    () => client.deliveries(event.id),
    [client, event.id],
  );
  const [busy, setBusy] = useState<number>();
  const [error, setError] = useState<unknown>();
  const [confirming, setConfirming] = useState<AlertDelivery>();

  const retry = async (d: AlertDelivery, confirmUnknown: boolean) => {
    setBusy(d.id);
    setError(undefined);
    try {
      await client.retryDelivery(d.id, confirmUnknown);
      setConfirming(undefined);
      deliveries.retry();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };

  if (deliveries.loading && !deliveries.value) return <Progress />;
  if (deliveries.error) return <ErrorNotice t={t} error={deliveries.error} />;
  const items = deliveries.value ?? [];
  if (items.length === 0) {
    return (
      <Typography color="textSecondary">{t('deliveries.empty')}</Typography>
    );
  }
  const actions = canRetryDeliveries && items.some(retryable);
  return (
    <>
      <Table size="small" data-testid={`alert-deliveries-${event.id}`}>
        <TableHead>
          <TableRow>
            <TableCell>{t('deliveries.channel')}</TableCell>
            <TableCell>{t('deliveries.step')}</TableCell>
            <TableCell>{t('deliveries.status')}</TableCell>
            <TableCell>{t('deliveries.attempts')}</TableCell>
            <TableCell>{t('deliveries.error')}</TableCell>
            <TableCell>{t('deliveries.updatedAt')}</TableCell>
            {actions && <TableCell>{t('deliveries.actions')}</TableCell>}
          </TableRow>
        </TableHead>
        <TableBody>
          {items.map(d => (
            <TableRow
              key={d.id}
              data-testid={`delivery-${d.channel}${d.step ? `-${d.step}` : ''}`}
            >
              <TableCell>
                {d.channel} ({d.channelType})
              </TableCell>
              <TableCell>{stepLabel(t, d.step)}</TableCell>
              <TableCell>
                <Chip
                  size="small"
                  label={t(`deliveries.${d.state}`)}
                  color={retryable(d) ? 'secondary' : 'default'}
                />
                {d.state === 'unknown' && (
                  <Typography variant="caption" display="block">
                    {t('deliveries.unknownHint')}
                  </Typography>
                )}
              </TableCell>
              <TableCell>{d.attempts}</TableCell>
              <TableCell style={{ wordBreak: 'break-word' }}>
                {d.error ?? t('common.none')}
              </TableCell>
              <TableCell>{formatTime(d.updatedAt)}</TableCell>
              {actions && (
                <TableCell>
                  {retryable(d) && (
                    <Button
                      size="small"
                      variant="outlined"
                      disabled={busy !== undefined}
                      onClick={() =>
                        d.state === 'unknown'
                          ? setConfirming(d)
                          : retry(d, false)
                      }
                    >
                      {t('deliveries.retry')}
                    </Button>
                  )}
                </TableCell>
              )}
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {error !== undefined && !confirming && (
        <ErrorNotice t={t} error={error} keyName="deliveries.retryFailed" />
      )}
      {confirming && (
        <ActionDialog
          title={t('deliveries.retryUnknownTitle', {
            channel: confirming.channel,
          })}
          onClose={() => {
            setConfirming(undefined);
            setError(undefined);
          }}
          error={error}
          errorKey="deliveries.retryFailed"
          busy={busy !== undefined}
          color="secondary"
          actionLabel={t('deliveries.retryConfirm')}
          actionTestId="retry-unknown-confirm"
          onAction={() => retry(confirming, true)}
        >
          <DialogContentText>
            {t('deliveries.retryUnknownText')}
          </DialogContentText>
        </ActionDialog>
      )}
    </>
  );
}
