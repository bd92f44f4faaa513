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

/**
 * Top statements by total time (pg_stat_statements, MariaDB slow log, Redis
 * SLOWLOG) from the snapshot the backend refreshes on a schedule; Refresh
 * reads the instance now, and Snapshot shows an earlier, kept one.
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
  const loadHistory = (i: Instance) =>
    props.client.slowQueryHistory(i.ref).then(setHistory, setError);
  const load = (i: Instance, takenAt = '') => {
    setError(undefined);
    setSnapshot(undefined);
    setPicked(takenAt);
    props.client
      .slowQueries(i.ref, takenAt || undefined)
      .then(setSnapshot, setError);
  };
  const refresh = (i: Instance) => {
    setError(undefined);
    setBusy(true);
    setPicked('');
    props.client
      .refreshSlowQueries(i.ref)
      .then(setSnapshot, setError)
      .then(() => loadHistory(i))
      .finally(() => setBusy(false));
  };
  const rows = snapshot?.statements;
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
              {new Date(at).toLocaleString()}
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
                time: new Date(snapshot.takenAt).toLocaleString(),
              })
            : t('slow.never')}
        </Typography>
      )}
      {snapshot?.error && (
        <Alert severity="warning">
          {t('slow.refreshFailed', {
            time: new Date(snapshot.attemptedAt ?? '').toLocaleString(),
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
