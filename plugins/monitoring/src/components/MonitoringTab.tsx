import { useMemo, useState } from 'react';
import {
  coreApis,
  useApi,
  useRouteRef,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { InfoCard, Link, Progress } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  METRICS_RANGES,
  type MetricsRange,
  type PanelData,
} from '@opsdeck/plugin-monitoring-common';
import {
  Box,
  Button,
  FormControl,
  Grid,
  InputLabel,
  MenuItem,
  Select,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { monitoringRuleManagePermission } from '@opsdeck/plugin-opsdeck-common';
import { useAllowed } from '@opsdeck/plugin-opsdeck-common/react';
import { MonitoringClient } from '../api';
import { isServiceEntity } from '../plugin';
import { monitoringRouteRef } from '../routes';
import { monitoringTranslationRef } from '../translation/translation';
import { LineChart } from './LineChart';

/** Series names the backend sends that have a translation (others: cpu, load1, mount points). */
const TRANSLATED_SERIES = [
  'receive',
  'transmit',
  'connections',
  'max',
  'commit',
  'rollback',
  'lag',
  'deadlocks',
  'queries',
  'slow',
  'used',
  'hitRate',
  'evictions',
  'clients',
  'ready',
  'unacked',
  'consumers',
  'publish',
  'deliver',
  'success',
  'duration',
  'status',
] as const;
const translated = (name: string): name is (typeof TRANSLATED_SERIES)[number] =>
  (TRANSLATED_SERIES as readonly string[]).includes(name);

/**
 * The Monitoring tab of a host, database, cache, queue or service: fixed panels
 * (chosen by the backend from the entity's type and engine, or a service's
 * probes) over a chosen time range.
 */
export function MonitoringTab() {
  const { t } = useTranslationRef(monitoringTranslationRef);
  const { entity } = useEntity();
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  const client = useMemo(
    () => new MonitoringClient(discoveryApi, fetchApi),
    [discoveryApi, fetchApi],
  );
  const [range, setRange] = useState<MetricsRange>('1h');
  const target = {
    kind: entity.kind.toLocaleLowerCase('en-US'),
    namespace: entity.metadata.namespace ?? 'default',
    name: entity.metadata.name,
  };
  const panels = useAsyncRetry(
    () => client.panels(target, range),
    [client, target.kind, target.namespace, target.name, range],
  );
  const service = isServiceEntity(entity);
  // probes are made on the monitoring page by those who manage them
  const manageProbes = useAllowed(monitoringRuleManagePermission);
  const monitoringRoot = useRouteRef(monitoringRouteRef);
  const title = (id: PanelData['id']) => t(`panels.${id}`);
  const probeOf = (panel: PanelData) =>
    panel.probe
      ? `${t(`probes.${panel.probe.kind}`)} · ${panel.probe.target}`
      : undefined;
  const seriesLabel = (name: string) =>
    translated(name) ? t(`series.${name}`) : name;

  return (
    <Box>
      <Box display="flex" alignItems="center" mb={2} style={{ gap: 16 }}>
        <FormControl variant="outlined" size="small">
          <InputLabel id="monitoring-range">{t('range.label')}</InputLabel>
          <Select
            labelId="monitoring-range"
            label={t('range.label')}
            value={range}
            onChange={e => setRange(e.target.value as MetricsRange)}
          >
            {METRICS_RANGES.map(r => (
              <MenuItem key={r} value={r}>
                {t(`range.${r}`)}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <Button variant="outlined" onClick={panels.retry}>
          {t('state.refresh')}
        </Button>
      </Box>
      {panels.loading && !panels.value && (
        <>
          <Progress />
          <Typography>{t('state.loading')}</Typography>
        </>
      )}
      {panels.error && (
        <Alert severity="error">
          {t('state.failed', {
            error:
              (panels.error as { cause?: Error }).cause?.message ??
              panels.error.message,
          })}
        </Alert>
      )}
      {panels.value &&
        service &&
        panels.value.length === 0 &&
        !manageProbes.loading && (
          <Alert severity="info">
            <Typography>{t('state.noProbes')}</Typography>
            <Typography variant="body2">{t('state.noProbesHint')}</Typography>
            {manageProbes.allowed && monitoringRoot && (
              <Link to={`${monitoringRoot()}?tab=probes`}>
                {t('state.addProbe')}
              </Link>
            )}
          </Alert>
        )}
      {panels.value && (
        <Grid container spacing={2}>
          {panels.value.map(panel => (
            <Grid
              item
              xs={12}
              md={6}
              key={`${panel.id}-${panel.probe?.id ?? ''}`}
            >
              <InfoCard title={title(panel.id)} subheader={probeOf(panel)}>
                {panel.series.some(s => s.points.length) ? (
                  <LineChart
                    panel={panel}
                    label={seriesLabel}
                    maxLabel={value => t('state.max', { value })}
                    ariaLabel={[title(panel.id), probeOf(panel)]
                      .filter(Boolean)
                      .join(' · ')}
                  />
                ) : (
                  <Typography color="textSecondary">
                    {t('state.noData')}
                  </Typography>
                )}
              </InfoCard>
            </Grid>
          ))}
        </Grid>
      )}
    </Box>
  );
}
