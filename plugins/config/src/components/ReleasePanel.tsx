import { useEffect, useState } from 'react';
import {
  Chip,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import type { Release } from '@opsdeck/plugin-config-common';
import { ErrorAlert, useConfigClient, useT } from './hooks';

const COLORS: Record<string, 'primary' | 'secondary' | 'default'> = {
  done: 'primary',
  invalid: 'secondary',
  reverted: 'secondary',
  failed: 'secondary',
};

/** A release's per-host progress, refreshed every second while it runs. */
export function ReleasePanel({
  releaseId,
  onFinished,
}: {
  releaseId: number;
  onFinished?: () => void;
}) {
  const t = useT();
  const client = useConfigClient();
  const [release, setRelease] = useState<Release>();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const r = await client.release(releaseId);
        if (stopped) return;
        setRelease(r);
        if (r.status === 'running') timer = setTimeout(poll, 1000);
        else onFinished?.();
      } catch (e) {
        if (!stopped) setError(e as Error);
      }
    };
    poll();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, releaseId]);
  if (error) return <ErrorAlert error={error} />;
  if (!release) return null;
  return (
    <TableContainer
      component={Paper}
      style={{ marginTop: 16 }}
      data-testid="config-release"
      data-status={release.status}
    >
      <Typography variant="h6" style={{ padding: 8 }}>
        {t('release.title', {
          id: release.id,
          version: release.version,
          status: t(`status.${release.status}`),
        })}
      </Typography>
      <Table size="small">
        <TableHead>
          <TableRow>
            <TableCell>{t('release.host')}</TableCell>
            <TableCell>{t('release.state')}</TableCell>
            <TableCell>{t('release.error')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {release.hosts.map(h => (
            <TableRow key={h.host} data-testid="config-release-host">
              <TableCell>{h.host.replace(/^resource:default\//, '')}</TableCell>
              <TableCell>
                <Chip
                  size="small"
                  color={COLORS[h.state] ?? 'default'}
                  label={t(`state.${h.state}`)}
                  data-state={h.state}
                />
              </TableCell>
              <TableCell>
                <code style={{ whiteSpace: 'pre-wrap' }}>{h.error ?? ''}</code>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
