import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Button,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { Progress } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  cicdAlertManagePermission,
  formatDateTime,
} from '@opsdeck/plugin-opsdeck-common';
import { CicdErrorAlert } from './ErrorAlert';
import { useCicdClient, useT } from './useCicd';

/**
 * Build alerts whose delivery was given up after their retries, or whose
 * outcome is unknown (a replica stopped mid-send), every component's, with
 * the reason and "send again": only for people who may manage alerts
 * (nothing is shown, nothing is asked for, otherwise).
 */
export function GivenUpAlerts() {
  const { allowed, loading } = usePermission({
    permission: cicdAlertManagePermission,
  });
  if (loading || !allowed) return null;
  return <GivenUpAlertsTable />;
}

function GivenUpAlertsTable() {
  const t = useT();
  const client = useCicdClient();
  const { value, loading, error, retry } = useAsyncRetry(
    () => client.givenUpAlerts(),
    [client],
  );
  const [busy, setBusy] = useState<number>();
  const [outcome, setOutcome] = useState<{
    severity: 'success' | 'error';
    text: string;
  }>();
  if (loading && !value) return <Progress />;
  if (error) return <CicdErrorAlert error={error} />;
  const items = value ?? [];
  const sendAgain = async (id: number) => {
    setBusy(id);
    setOutcome(undefined);
    try {
      const r = await client.retryAlert(id);
      setOutcome(
        r.status === 'sent'
          ? {
              severity: 'success',
              text: t('givenUp.sent', { build: `${r.job} #${r.number}` }),
            }
          : {
              severity: 'error',
              text: t('givenUp.failedAgain', { message: r.error ?? '' }),
            },
      );
    } catch (e) {
      setOutcome({ severity: 'error', text: (e as Error).message });
    } finally {
      setBusy(undefined);
      retry();
    }
  };
  return (
    <Paper style={{ marginTop: 16 }} data-testid="cicd-given-up-alerts">
      <Typography variant="h6" style={{ padding: '16px 16px 0' }}>
        {t('givenUp.title')}
      </Typography>
      <Typography variant="body2" style={{ padding: '0 16px 8px' }}>
        {t('givenUp.caption')}
      </Typography>
      {outcome && <Alert severity={outcome.severity}>{outcome.text}</Alert>}
      {items.length === 0 ? (
        <Typography variant="body2" style={{ padding: 16 }}>
          {t('givenUp.empty')}
        </Typography>
      ) : (
        <TableContainer>
          <Table size="small" aria-label={t('givenUp.title')}>
            <TableHead>
              <TableRow>
                <TableCell>{t('givenUp.alert')}</TableCell>
                <TableCell>{t('givenUp.owner')}</TableCell>
                <TableCell>{t('givenUp.attempts')}</TableCell>
                <TableCell>{t('givenUp.reason')}</TableCell>
                <TableCell>{t('givenUp.when')}</TableCell>
                <TableCell />
              </TableRow>
            </TableHead>
            <TableBody>
              {items.map(a => (
                <TableRow key={a.id} data-testid="cicd-given-up-row">
                  <TableCell>{a.title}</TableCell>
                  <TableCell>{a.owner}</TableCell>
                  <TableCell>{a.attempts}</TableCell>
                  <TableCell>
                    {a.status === 'unknown' ? (
                      t('givenUp.outcomeUnknown')
                    ) : (
                      <code>{a.lastError}</code>
                    )}
                  </TableCell>
                  <TableCell>{formatDateTime(a.givenUpAt)}</TableCell>
                  <TableCell>
                    <Button
                      size="small"
                      variant="outlined"
                      disabled={busy !== undefined}
                      onClick={() => sendAgain(a.id)}
                    >
                      {t('givenUp.retry')}
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Paper>
  );
}
