import { useState } from 'react';
import { Link, Progress } from '@backstage/core-components';
import {
  Box,
  Button,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import type { Probe } from '@opsdeck/plugin-monitoring-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { ProbeDialog } from './ProbeDialog';
import {
  ErrorNotice,
  entityPath,
  shortRef,
  useAbilities,
  useMonitoringClient,
  useT,
  type MonitoringT,
} from './hooks';

function expectation(t: MonitoringT, p: Probe): string {
  if (p.kind === 'tcp') return t('probes.tcp');
  const parts = [
    p.expectStatus
      ? t('probes.status', { status: p.expectStatus })
      : t('probes.anyStatus'),
  ];
  if (p.bodyRegex) parts.push(t('probes.body', { regex: p.bodyRegex }));
  return parts.join(', ');
}

/**
 * TCP and HTTP probes (blackbox exporter) on the entities the user reads:
 * list; create and delete with `opsdeck.monitoring.rule.manage`.
 */
export function ProbesTab() {
  const t = useT();
  const client = useMonitoringClient();
  const { canManageRules } = useAbilities();
  const probes = useAsyncRetry(() => client.probes(), [client]);
  const [creating, setCreating] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>();

  const remove = async (id: number) => {
    setDeleteError(undefined);
    try {
      await client.deleteProbe(id);
    } catch (e) {
      setDeleteError(e);
    }
    probes.retry();
  };

  return (
    <Box>
      <Box display="flex" alignItems="center" mb={1} style={{ gap: 16 }}>
        {canManageRules && (
          <Button
            color="primary"
            variant="contained"
            onClick={() => setCreating(true)}
          >
            {t('probes.new')}
          </Button>
        )}
        <Button variant="outlined" onClick={probes.retry}>
          {t('common.refresh')}
        </Button>
      </Box>
      {deleteError !== undefined && (
        <ErrorNotice t={t} error={deleteError} keyName="probes.deleteFailed" />
      )}
      {probes.loading && !probes.value && <Progress />}
      {probes.error && <ErrorNotice t={t} error={probes.error} />}
      {probes.value && probes.value.length === 0 && (
        <Typography>{t('probes.empty')}</Typography>
      )}
      {probes.value && probes.value.length > 0 && (
        <Table size="small" data-testid="probes-table">
          <TableHead>
            <TableRow>
              <TableCell>{t('probes.entity')}</TableCell>
              <TableCell>{t('probes.kind')}</TableCell>
              <TableCell>{t('probes.target')}</TableCell>
              <TableCell>{t('probes.expect')}</TableCell>
              <TableCell>{t('probes.interval')}</TableCell>
              <TableCell>{t('probes.createdBy')}</TableCell>
              <TableCell>{t('probes.actions')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {probes.value.map(p => {
              const to = entityPath(p.entityRef);
              return (
                <TableRow key={p.id} data-testid={`probe-${p.id}`}>
                  <TableCell>
                    {to ? (
                      <Link to={to}>{shortRef(p.entityRef)}</Link>
                    ) : (
                      p.entityRef
                    )}
                  </TableCell>
                  <TableCell>{t(`probes.${p.kind}`)}</TableCell>
                  <TableCell>{p.target}</TableCell>
                  <TableCell>{expectation(t, p)}</TableCell>
                  <TableCell>{p.interval}</TableCell>
                  <TableCell>{shortRef(p.createdBy)}</TableCell>
                  <TableCell>
                    {canManageRules && (
                      <Button size="small" onClick={() => remove(p.id)}>
                        {t('probes.delete')}
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      {creating && (
        <ProbeDialog
          onClose={() => setCreating(false)}
          onSubmit={async input => {
            await client.createProbe(input);
            setCreating(false);
            probes.retry();
          }}
        />
      )}
    </Box>
  );
}
