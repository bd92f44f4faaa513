import { useState } from 'react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  Box,
  Button,
  MenuItem,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import type { Instance, SlowQuerySnapshot, SqlClient } from '../api/SqlClient';
import { sqlTranslationRef } from '../translation/translation';
import { ErrorAlert, InstancePicker } from './common';
import { formatDateTime } from '@opsdeck/plugin-opsdeck-common';

/**
 * Top statements by total time (pg_stat_statements, MariaDB slow log, Redis
 * SLOWLOG) from the snapshot the backend refreshes on a schedule; Refresh
 * reads the instance now, Snapshot shows an earlier, kept one, and Change
 * since (PostgreSQL) shows what ran between an earlier snapshot and it.
 */
export function SlowQueriesTab(props: { client: SqlClient }) {
  const { t } = useTranslationRef(sqlTranslationRef);
  const [instance, setInstance] = useState<Instance>();
  const [snapshot, setSnapshot] = useState<SlowQuerySnapshot>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  // times of the kept earlier snapshots; '' picks the latest
  const [history, setHistory] = useState<string[]>([]);
  const [picked, setPicked] = useState('');
  // time of the earlier snapshot to subtract; '' shows the cumulative counters
  const [compareTo, setCompareTo] = useState('');
  const loadHistory = (i: Instance) =>
    props.client.slowQueryHistory(i.ref).then(setHistory, setError);
  const load = (i: Instance, takenAt = '', since = '') => {
    setError(undefined);
    setSnapshot(undefined);
    setPicked(takenAt);
    setCompareTo(since);
    props.client
      .slowQueries(i.ref, takenAt || undefined, since || undefined)
      .then(setSnapshot, setError);
  };
  const refresh = (i: Instance) => {
    setError(undefined);
    setBusy(true);
    setPicked('');
    setCompareTo('');
    props.client
      .refreshSlowQueries(i.ref)
      .then(setSnapshot, setError)
      .then(() => loadHistory(i))
      .finally(() => setBusy(false));
  };
  const rows = snapshot?.statements;
  const intervalEngine = instance?.engine === 'postgresql';
  // the earlier kept snapshots the shown one can be compared with
  const shownAt = snapshot?.takenAt;
  const earlier = shownAt ? history.filter(at => at < shownAt) : [];
  const basisLabel = (basis?: string) => {
    if (basis === 'new') return t('slow.basisNew');
    if (basis === 'reset') return t('slow.basisReset');
    return undefined;
  };
  return (
    <Box mt={2}>
      <Box display="flex" alignItems="center">
        <InstancePicker
          client={props.client}
          value={instance}
          onChange={i => {
            setInstance(i);
            load(i);
            loadHistory(i);
          }}
        />
        <TextField
          id="sql-slow-snapshot"
          select
          label={t('slow.snapshot')}
          value={picked}
          disabled={!instance}
          onChange={e => load(instance!, e.target.value)}
          style={{ minWidth: 240, marginRight: 16 }}
          inputProps={{ 'aria-label': t('slow.snapshot') }}
          // show "Latest" for the empty value
          SelectProps={{ displayEmpty: true }}
          InputLabelProps={{ shrink: true }}
        >
          <MenuItem value="">{t('slow.latest')}</MenuItem>
          {history.map(at => (
            <MenuItem key={at} value={at}>
              {formatDateTime(at)}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          id="sql-slow-compare"
          select
          label={t('slow.compareTo')}
          value={compareTo}
          disabled={!intervalEngine || (earlier.length === 0 && !compareTo)}
          onChange={e => load(instance!, picked, e.target.value)}
          style={{ minWidth: 240, marginRight: 16 }}
          inputProps={{ 'aria-label': t('slow.compareTo') }}
          SelectProps={{ displayEmpty: true }}
          InputLabelProps={{ shrink: true }}
        >
          <MenuItem value="">{t('slow.cumulative')}</MenuItem>
          {(compareTo && !earlier.includes(compareTo)
            ? [compareTo, ...earlier]
            : earlier
          ).map(at => (
            <MenuItem key={at} value={at}>
              {formatDateTime(at)}
            </MenuItem>
          ))}
        </TextField>
        <Button disabled={!instance || busy} onClick={() => refresh(instance!)}>
          {t('slow.refreshNow')}
        </Button>
      </Box>
      <ErrorAlert error={error} />
      {snapshot && (
        <Typography variant="body2" color="textSecondary">
          {snapshot.takenAt
            ? t('slow.asOf', {
                time: formatDateTime(snapshot.takenAt),
              })
            : t('slow.never')}
        </Typography>
      )}
      {instance && !intervalEngine && instance.engine !== 'mongodb' && (
        <Typography variant="caption" color="textSecondary" component="p">
          {t('slow.intervalUnavailable')}
        </Typography>
      )}
      {snapshot?.comparedTo && snapshot.takenAt && (
        <Typography
          variant="body2"
          color="textSecondary"
          data-testid="sql-slow-interval-help"
        >
          {t('slow.intervalHelp', {
            from: formatDateTime(snapshot.comparedTo),
            to: formatDateTime(snapshot.takenAt),
          })}
        </Typography>
      )}
      {snapshot?.error && (
        <Alert severity="warning">
          {t('slow.refreshFailed', {
            time: formatDateTime(snapshot.attemptedAt ?? ''),
            error: snapshot.error,
          })}
        </Alert>
      )}
      {rows && (
        <Table size="small" aria-label={t('tabs.slow')}>
          <TableHead>
            <TableRow>
              <TableCell>{t('slow.statement')}</TableCell>
              <TableCell align="right">{t('slow.calls')}</TableCell>
              <TableCell align="right">{t('slow.total')}</TableCell>
              <TableCell align="right">{t('slow.mean')}</TableCell>
              <TableCell align="right">{t('slow.rows')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.length === 0 && (
              <TableRow>
                <TableCell colSpan={5}>{t('slow.empty')}</TableCell>
              </TableRow>
            )}
            {rows.map((r, i) => (
              <TableRow key={i}>
                <TableCell>
                  <code>{r.statement}</code>
                  {basisLabel(r.basis) && (
                    <Typography variant="caption" color="textSecondary">
                      {' '}
                      ({basisLabel(r.basis)})
                    </Typography>
                  )}
                </TableCell>
                <TableCell align="right">{r.calls}</TableCell>
                <TableCell align="right">{r.totalMs.toFixed(2)}</TableCell>
                <TableCell align="right">{r.meanMs.toFixed(2)}</TableCell>
                <TableCell align="right">{r.rows ?? ''}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}
