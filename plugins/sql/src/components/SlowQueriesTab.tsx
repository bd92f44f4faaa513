import { useState } from 'react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  Box,
  Button,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
} from '@material-ui/core';
import type { Instance, SlowQuery, SqlClient } from '../api/SqlClient';
import { sqlTranslationRef } from '../translation/translation';
import { ErrorAlert, InstancePicker } from './common';

/** Top statements by total time (pg_stat_statements, MariaDB slow log, Redis SLOWLOG). */
export function SlowQueriesTab(props: { client: SqlClient }) {
  const { t } = useTranslationRef(sqlTranslationRef);
  const [instance, setInstance] = useState<Instance>();
  const [rows, setRows] = useState<SlowQuery[]>();
  const [error, setError] = useState<Error>();
  const load = (i: Instance) => {
    setError(undefined);
    props.client.slowQueries(i.ref).then(setRows, setError);
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
          }}
        />
        <Button disabled={!instance} onClick={() => load(instance!)}>
          {t('actions.refresh')}
        </Button>
      </Box>
      <ErrorAlert error={error} />
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
