import { InfoCard, Link, Progress } from '@backstage/core-components';
import {
  Box,
  Button,
  Grid,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import type {
  FleetDownEntry,
  FleetEntry,
} from '@opsdeck/plugin-monitoring-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  ErrorNotice,
  entityPath,
  formatTime,
  useMonitoringClient,
  useT,
  type MonitoringT,
} from '../alerts/hooks';

function HostLink({ entry }: { entry: { entityRef: string; title: string } }) {
  const to = entityPath(entry.entityRef);
  return to ? <Link to={to}>{entry.title}</Link> : <>{entry.title}</>;
}

function TopList(props: {
  t: MonitoringT;
  id: 'cpu' | 'memory' | 'disk';
  entries: FleetEntry[];
}) {
  const { t, id, entries } = props;
  return (
    <InfoCard title={t(`fleet.${id}`)}>
      {entries.length === 0 ? (
        <Typography color="textSecondary">{t('fleet.noData')}</Typography>
      ) : (
        <Table size="small" data-testid={`fleet-${id}`}>
          <TableHead>
            <TableRow>
              <TableCell>{t('fleet.host')}</TableCell>
              <TableCell align="right">{t('fleet.use')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {entries.map(e => (
              <TableRow key={e.entityRef}>
                <TableCell>
                  <HostLink entry={e} />
                </TableCell>
                <TableCell align="right">{e.value.toFixed(1)} %</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </InfoCard>
  );
}

function DownList(props: { t: MonitoringT; entries: FleetDownEntry[] }) {
  const { t, entries } = props;
  return (
    <InfoCard title={t('fleet.down')}>
      {entries.length === 0 ? (
        <Typography color="textSecondary">{t('fleet.allUp')}</Typography>
      ) : (
        <Table size="small" data-testid="fleet-down">
          <TableHead>
            <TableRow>
              <TableCell>{t('fleet.host')}</TableCell>
              <TableCell>{t('fleet.instance')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {entries.map(e => (
              <TableRow key={`${e.entityRef} ${e.instance ?? ''}`}>
                <TableCell>
                  <HostLink entry={e} />
                </TableCell>
                <TableCell>{e.instance ?? t('common.none')}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </InfoCard>
  );
}

/**
 * The fleet overview: top hosts by CPU, memory and disk use and the hosts
 * that are down, among the hosts the user may read (the backend chooses
 * them from the catalog before it asks Prometheus).
 */
export function FleetTab() {
  const t = useT();
  const client = useMonitoringClient();
  const fleet = useAsyncRetry(() => client.fleet(), [client]);
  const value = fleet.value;
  return (
    <Box>
      <Box display="flex" alignItems="center" mb={2} style={{ gap: 16 }}>
        <Button variant="outlined" onClick={fleet.retry}>
          {t('common.refresh')}
        </Button>
        {value && value.hosts > 0 && (
          <Typography color="textSecondary" data-testid="fleet-as-of">
            {t('fleet.asOf', {
              hosts: value.hosts,
              time: formatTime(value.time) ?? value.time,
            })}
          </Typography>
        )}
      </Box>
      {fleet.loading && !value && (
        <>
          <Progress />
          <Typography>{t('common.loading')}</Typography>
        </>
      )}
      {fleet.error && <ErrorNotice t={t} error={fleet.error} />}
      {value && value.hosts === 0 && (
        <Typography color="textSecondary">{t('fleet.noHosts')}</Typography>
      )}
      {value && value.hosts > 0 && (
        <Grid container spacing={2}>
          <Grid item xs={12} md={6}>
            <DownList t={t} entries={value.down} />
          </Grid>
          {(['cpu', 'memory', 'disk'] as const).map(id => (
            <Grid item xs={12} md={6} key={id}>
              <TopList t={t} id={id} entries={value[id]} />
            </Grid>
          ))}
        </Grid>
      )}
    </Box>
  );
}
