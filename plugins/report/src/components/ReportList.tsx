import { ChangeEvent, useState } from 'react';
import { Link, Progress } from '@backstage/core-components';
import {
  Chip,
  MenuItem,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import useAsync from 'react-use/esm/useAsync';
import { ReportErrorAlert } from './ReportErrorAlert';
import { formatTime, useReportClient, useT } from './useReport';

/** The history of reports, newest week first, filterable by team. */
export function ReportList() {
  const t = useT();
  const client = useReportClient();
  const [scope, setScope] = useState('');
  const all = useAsync(
    () => client.listReports({ query: { limit: 200 } }),
    [client],
  );
  const { value, loading, error } = useAsync(
    () =>
      client.listReports({
        query: { scope: scope || undefined, limit: 200 },
      }),
    [client, scope],
  );
  const scopes = [
    ...new Map(
      (all.value?.items ?? []).map(r => [r.scope, r.scopeTitle]),
    ).entries(),
  ].sort((a, b) => a[1].localeCompare(b[1]));

  if (error) return <ReportErrorAlert error={error} />;
  return (
    <>
      <TextField
        select
        label={t('list.scope')}
        value={scope}
        onChange={(e: ChangeEvent<{ value: unknown }>) =>
          setScope(String(e.target.value))
        }
        style={{ minWidth: 240, marginBottom: 16 }}
        inputProps={{ 'data-testid': 'report-scope' }}
      >
        <MenuItem value="">{t('list.allScopes')}</MenuItem>
        {scopes.map(([s, title]) => (
          <MenuItem key={s} value={s}>
            {title}
          </MenuItem>
        ))}
      </TextField>
      {loading && <Progress />}
      {value && value.items.length === 0 && (
        <Alert severity="info">{t('list.empty')}</Alert>
      )}
      {value && value.items.length > 0 && (
        <TableContainer component={Paper}>
          <Table size="small" aria-label={t('list.caption')}>
            <TableHead>
              <TableRow>
                <TableCell>{t('list.week')}</TableCell>
                <TableCell>{t('list.scope')}</TableCell>
                <TableCell>{t('list.state')}</TableCell>
                <TableCell>{t('list.sendAt')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {value.items.map(r => (
                <TableRow key={r.id} data-testid="report-row">
                  <TableCell>
                    <Link to={`${r.id}`}>{r.weekStart}</Link>
                  </TableCell>
                  <TableCell>
                    <Link to={`${r.id}`}>{r.scopeTitle}</Link>
                  </TableCell>
                  <TableCell>
                    <Chip
                      size="small"
                      label={t(`state.${r.state}`)}
                      color={r.state === 'draft' ? 'primary' : 'default'}
                    />
                  </TableCell>
                  <TableCell>
                    <Typography variant="body2">
                      {formatTime(r.sentAt ?? r.sendAt)}
                    </Typography>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </>
  );
}
