import { useEffect, useState } from 'react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  Box,
  Button,
  Chip,
  LinearProgress,
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
import type { Distribution, FilesClient, HostState } from '../api/FilesClient';
import { filesTranslationRef } from '../translation/translation';
import { errorMessage, targetRefusal } from './errors';
import { formatBytes, formatRate, percent } from './format';

const STATE_COLOR: Record<HostState, 'default' | 'primary' | 'secondary'> = {
  pending: 'default',
  transferring: 'primary',
  verifying: 'primary',
  verified: 'primary',
  failed: 'secondary',
};

/** Live per-host view of one distribution; polls while it runs. */
export function DistributionView(props: {
  client: FilesClient;
  id: string;
  onClose: () => void;
  onChanged: () => void;
}) {
  const { client, id, onClose, onChanged } = props;
  const { t } = useTranslationRef(filesTranslationRef);
  const [d, setD] = useState<Distribution>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await client.getDistribution(id);
        if (cancelled) return;
        setD(next);
        setError(undefined);
        if (next.status === 'running') timer = setTimeout(poll, 1000);
        else onChanged();
      } catch (e) {
        if (!cancelled) {
          setError(errorMessage(e));
          timer = setTimeout(poll, 3000);
        }
      }
    };
    poll();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
    // onChanged is a refresh callback of the parent; polling restarts on retry (tick)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, id, tick]);

  const retry = async () => {
    try {
      await client.retryDistribution(id);
      setTick(x => x + 1);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const failed = d?.hosts?.some(h => h.state === 'failed');
  return (
    <Paper variant="outlined" data-testid="files-distribution-view">
      <Box p={2}>
        <Box display="flex" alignItems="center" justifyContent="space-between">
          <Typography variant="h6" component="h2">
            {d
              ? t('live.title', {
                  name: d.fileName,
                  version: String(d.fileVersion),
                  target: d.targetPath,
                })
              : '…'}
          </Typography>
          <Box display="flex" style={{ gap: 8 }}>
            {failed && d?.status === 'done' ? (
              <Button variant="outlined" color="primary" onClick={retry}>
                {t('live.retry')}
              </Button>
            ) : null}
            <Button onClick={onClose}>{t('live.close')}</Button>
          </Box>
        </Box>
        {d ? (
          <Typography variant="body2">
            {t(`distributions.${d.status}`)} ·{' '}
            {t('distributions.summary', {
              verified: String(
                d.hosts?.filter(h => h.state === 'verified').length ?? 0,
              ),
              failed: String(
                d.hosts?.filter(h => h.state === 'failed').length ?? 0,
              ),
              active: String(
                d.hosts?.filter(
                  h => h.state !== 'verified' && h.state !== 'failed',
                ).length ?? 0,
              ),
              total: String(d.hosts?.length ?? 0),
            })}
          </Typography>
        ) : null}
        {error ? <Alert severity="error">{error}</Alert> : null}
        <TableContainer>
          <Table size="small" aria-label={t('live.caption')}>
            <TableHead>
              <TableRow>
                <TableCell>{t('live.host')}</TableCell>
                <TableCell>{t('live.address')}</TableCell>
                <TableCell>{t('live.state')}</TableCell>
                <TableCell>{t('live.bytes')}</TableCell>
                <TableCell>{t('live.rate')}</TableCell>
                <TableCell>{t('live.attempts')}</TableCell>
                <TableCell>{t('live.result')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {(d?.hosts ?? []).map(h => (
                <TableRow key={h.host} data-testid={`files-host-${h.host}`}>
                  <TableCell>
                    {h.host.replace(/^resource:default\//, '')}
                  </TableCell>
                  <TableCell>{`${h.address}:${h.port}`}</TableCell>
                  <TableCell>
                    <Chip
                      size="small"
                      label={t(`states.${h.state}`)}
                      color={STATE_COLOR[h.state]}
                      variant={h.state === 'verified' ? 'default' : 'outlined'}
                    />
                  </TableCell>
                  <TableCell style={{ minWidth: 160 }}>
                    <LinearProgress
                      variant="determinate"
                      value={percent(h.bytes, d!.size)}
                      aria-label={t('live.progressLabel', { host: h.host })}
                    />
                    {`${formatBytes(h.bytes)} / ${formatBytes(d!.size)}`}
                  </TableCell>
                  <TableCell>{h.rate > 0 ? formatRate(h.rate) : ''}</TableCell>
                  <TableCell>{h.attempts}</TableCell>
                  <TableCell>
                    {h.state === 'verified' ? t('live.verifiedResult') : null}
                    {h.state !== 'verified' && targetRefusal(h.errorCode) ? (
                      <Typography variant="body2" component="strong">
                        {t(`live.refused.${targetRefusal(h.errorCode)!}`)}{' '}
                      </Typography>
                    ) : null}
                    {h.state !== 'verified' ? h.error ?? '' : null}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      </Box>
    </Paper>
  );
}
