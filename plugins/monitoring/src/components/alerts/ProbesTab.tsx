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
import type {
  Probe,
  ProbeState,
  ProbeStatus,
} from '@opsdeck/plugin-monitoring-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { DeleteDialog } from './ActionDialog';
import { ProbeDialog } from './ProbeDialog';
import {
  ErrorNotice,
  entityPath,
  errorMessage,
  formatTime,
  shortRef,
  useAbilities,
  useMonitoringClient,
  useT,
  type MonitoringT,
} from './hooks';

function expectation(t: MonitoringT, p: Probe): string {
  if (p.kind === 'tcp') return t('probes.tcp');
  if (p.kind === 'process') return t('probes.processRuns');
  if (p.kind === 'script') {
    return t('probes.scriptRuns', { language: p.language ?? 'sh' });
  }
  const parts = [
    p.expectStatus
      ? t('probes.status', { status: p.expectStatus })
      : t('probes.anyStatus'),
  ];
  if (p.bodyRegex) parts.push(t('probes.body', { regex: p.bodyRegex }));
  return parts.join(', ');
}

const STATE_COLOR: Record<ProbeState, string> = {
  up: '#2e7d32',
  down: '#c62828',
  unknown: 'inherit',
};

function StateCell(props: { t: MonitoringT; status?: ProbeStatus }) {
  const { t, status } = props;
  const state = status?.state ?? 'unknown';
  const last = formatTime(status?.lastProbeAt);
  return (
    <TableCell data-testid="probe-state">
      <Typography
        variant="body2"
        style={{ color: STATE_COLOR[state], fontWeight: 500 }}
      >
        {t(`probes.state_${state}`)}
      </Typography>
      {last && (
        <Typography variant="caption" color="textSecondary">
          {t('probes.lastProbe', { time: last })}
        </Typography>
      )}
    </TableCell>
  );
}

type Open =
  | { kind: 'new' }
  | { kind: 'edit' | 'delete'; probe: Probe }
  | undefined;

/**
 * TCP and HTTP probes (blackbox exporter) on the entities the user reads:
 * list with their state from Prometheus (probe_success); create, edit and
 * delete with `opsdeck.monitoring.rule.manage` (hidden otherwise).
 */
export function ProbesTab() {
  const t = useT();
  const client = useMonitoringClient();
  const { canManageRules, canScriptProbes } = useAbilities();
  const probes = useAsyncRetry(() => client.probes(), [client]);
  const states = useAsyncRetry(() => client.probeStatus(), [client]);
  const [open, setOpen] = useState<Open>();
  const stateOf = new Map((states.value?.items ?? []).map(s => [s.id, s]));

  const refresh = () => {
    probes.retry();
    states.retry();
  };
  const saved = () => {
    setOpen(undefined);
    refresh();
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
            {t('probes.new')}
          </Button>
        )}
        <Button variant="outlined" onClick={refresh}>
          {t('common.refresh')}
        </Button>
        {states.error && (
          <Typography variant="caption" color="textSecondary" role="status">
            {t('probes.stateUnavailable', {
              error: errorMessage(states.error, t),
            })}
          </Typography>
        )}
      </Box>
      {probes.loading && !probes.value && <Progress />}
      {probes.error && <ErrorNotice t={t} error={probes.error} />}
      {probes.value && probes.value.length === 0 && (
        <Typography>{t('probes.empty')}</Typography>
      )}
      {probes.value && probes.value.length > 0 && (
        <Table size="small" data-testid="probes-table">
          <TableHead>
            <TableRow>
              <TableCell>{t('probes.state')}</TableCell>
              <TableCell>{t('probes.entity')}</TableCell>
              <TableCell>{t('probes.kind')}</TableCell>
              <TableCell>{t('probes.target')}</TableCell>
              <TableCell>{t('probes.expect')}</TableCell>
              <TableCell>{t('probes.interval')}</TableCell>
              <TableCell>{t('probes.createdBy')}</TableCell>
              {canManageRules && <TableCell>{t('probes.actions')}</TableCell>}
            </TableRow>
          </TableHead>
          <TableBody>
            {probes.value.map(p => {
              const to = entityPath(p.entityRef);
              return (
                <TableRow key={p.id} data-testid={`probe-${p.id}`}>
                  <StateCell t={t} status={stateOf.get(p.id)} />
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
                  {canManageRules && (
                    <TableCell>
                      {/* a script probe is edited by those who may write scripts */}
                      {(p.kind !== 'script' || canScriptProbes) && (
                        <Button
                          size="small"
                          onClick={() => setOpen({ kind: 'edit', probe: p })}
                        >
                          {t('probes.edit')}
                        </Button>
                      )}
                      <Button
                        size="small"
                        onClick={() => setOpen({ kind: 'delete', probe: p })}
                      >
                        {t('probes.delete')}
                      </Button>
                    </TableCell>
                  )}
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      {open?.kind === 'new' && (
        <ProbeDialog
          canScript={canScriptProbes}
          onClose={() => setOpen(undefined)}
          onSubmit={async input => {
            await client.createProbe(input);
            saved();
          }}
        />
      )}
      {open?.kind === 'edit' && (
        <ProbeDialog
          probe={open.probe}
          canScript={canScriptProbes}
          onClose={() => setOpen(undefined)}
          onSubmit={async input => {
            await client.updateProbe(open.probe.id, input);
            saved();
          }}
        />
      )}
      {open?.kind === 'delete' && (
        <DeleteDialog
          title={t('probes.deleteTitle', { target: open.probe.target })}
          body={t('probes.deleteBody', {
            entity: shortRef(open.probe.entityRef),
          })}
          errorKey="probes.deleteFailed"
          deleteLabel={t('probes.delete')}
          onClose={() => setOpen(undefined)}
          onDelete={async () => {
            await client.deleteProbe(open.probe.id);
            saved();
          }}
        />
      )}
    </Box>
  );
}
