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
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import type { Instance, QueryResult, SqlClient } from '../api/SqlClient';
import { sqlTranslationRef } from '../translation/translation';
import { ErrorAlert, InstancePicker } from './common';

/** Lets the browser save a downloaded file. */
function saveFile(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

/** Read-only, masked, logged queries. */
export function ConsoleTab(props: { client: SqlClient }) {
  const { t } = useTranslationRef(sqlTranslationRef);
  const [instance, setInstance] = useState<Instance>();
  const [database, setDatabase] = useState('');
  const [sql, setSql] = useState('');
  const [result, setResult] = useState<QueryResult>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const [check, setCheck] = useState<string>();
  return (
    <Box mt={2}>
      <Typography variant="body2">{t('console.hint')}</Typography>
      <Box display="flex" alignItems="center" mt={1}>
        <InstancePicker
          client={props.client}
          value={instance}
          onChange={i => {
            setInstance(i);
            setDatabase(i.database ?? '');
            setCheck(undefined);
          }}
        />
        <TextField
          id="sql-console-database"
          label={t('fields.database')}
          value={database}
          onChange={e => setDatabase(e.target.value)}
        />
        <Button
          disabled={!instance}
          onClick={async () => {
            const c = await props.client.check(instance!.ref);
            setCheck(
              c.reachable
                ? t('check.ok', { version: c.version ?? '' })
                : t('check.failed', { error: c.error ?? '' }),
            );
          }}
        >
          {t('actions.check')}
        </Button>
      </Box>
      {check && <Typography variant="body2">{check}</Typography>}
      <TextField
        id="sql-console-sql"
        fullWidth
        multiline
        minRows={4}
        label={t('fields.sql')}
        value={sql}
        onChange={e => setSql(e.target.value)}
        margin="normal"
        InputProps={{ style: { fontFamily: 'monospace' } }}
      />
      <Button
        variant="contained"
        color="primary"
        disabled={!instance || !sql.trim() || busy}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          setResult(undefined);
          try {
            setResult(
              await props.client.query({
                instanceRef: instance!.ref,
                database: database.trim() || undefined,
                sql,
              }),
            );
          } catch (e) {
            setError(e as Error);
          } finally {
            setBusy(false);
          }
        }}
      >
        {t('actions.run')}
      </Button>{' '}
      <Button
        variant="outlined"
        disabled={!instance || !sql.trim() || busy}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          try {
            // the server runs the query again, masks and logs it
            const csv = await props.client.exportCsv({
              instanceRef: instance!.ref,
              database: database.trim() || undefined,
              sql,
            });
            saveFile(csv, `${instance!.name}-query.csv`);
          } catch (e) {
            setError(e as Error);
          } finally {
            setBusy(false);
          }
        }}
      >
        {t('actions.exportCsv')}
      </Button>
      <ErrorAlert error={error} />
      {result && (
        <Box mt={2}>
          <Typography variant="body2">
            {t('console.rows', {
              rows: String(result.rows.length),
              ms: String(result.durationMs),
            })}
          </Typography>
          {result.truncated && (
            <Alert severity="info">{t('console.truncated')}</Alert>
          )}
          {result.maskedColumns.length > 0 && (
            <Alert severity="info">
              {t('console.masked', {
                columns: result.maskedColumns.join(', '),
              })}
            </Alert>
          )}
          <Table size="small" aria-label={t('tabs.console')}>
            <TableHead>
              <TableRow>
                {result.columns.map((c, i) => (
                  <TableCell key={i}>{c}</TableCell>
                ))}
              </TableRow>
            </TableHead>
            <TableBody>
              {result.rows.map((row, i) => (
                <TableRow key={i}>
                  {row.map((v, j) => (
                    <TableCell key={j}>{v === null ? 'NULL' : v}</TableCell>
                  ))}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
    </Box>
  );
}
