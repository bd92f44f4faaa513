import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { Link, Progress } from '@backstage/core-components';
import {
  REPORT_FIGURE_KEYS,
  ReportFigureKey,
} from '@opsdeck/plugin-report-common';
import {
  Button,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import useAsync from 'react-use/esm/useAsync';
import { ReportErrorAlert } from './ReportErrorAlert';
import { figureName, formatTime, useReportClient, useT } from './useReport';

const PAGE = 100;

/** The records one figure of a report counts, each a link to where it lives. */
export function FigureRecordsPage() {
  const t = useT();
  const client = useReportClient();
  const params = useParams();
  const id = Number(params.id);
  const figure = params.figure as ReportFigureKey;
  const [offset, setOffset] = useState(0);
  const { value, loading, error } = useAsync(
    () =>
      client.listFigureRecords({
        path: { id, figure },
        query: { offset, limit: PAGE },
      }),
    [client, id, figure, offset],
  );
  if (!REPORT_FIGURE_KEYS.includes(figure)) {
    return <Alert severity="error">{figure}</Alert>;
  }
  if (error) return <ReportErrorAlert error={error} />;
  return (
    <>
      <Link to="../..">{t('detail.back')}</Link>
      <Typography variant="h5" style={{ margin: '8px 0 16px' }}>
        {t('records.title', {
          figure: figureName(t, figure),
          count: value?.total ?? 0,
        })}
      </Typography>
      {loading && <Progress />}
      {value && value.total === 0 && (
        <Alert severity="info">{t('records.empty')}</Alert>
      )}
      {value && value.items.length > 0 && (
        <TableContainer component={Paper}>
          <Table size="small">
            <TableHead>
              <TableRow>
                <TableCell>{t('records.time')}</TableCell>
                <TableCell>{t('records.what')}</TableCell>
                <TableCell>{t('records.who')}</TableCell>
                <TableCell>{t('records.target')}</TableCell>
                <TableCell>{t('records.source')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {value.items.map(r => (
                <TableRow
                  key={`${r.source}-${r.id}`}
                  data-testid="figure-record"
                >
                  <TableCell>{formatTime(r.at)}</TableCell>
                  <TableCell>
                    {r.path ? <Link to={r.path}>{r.label}</Link> : r.label}
                  </TableCell>
                  <TableCell>{r.actor ?? ''}</TableCell>
                  <TableCell>{r.target ?? ''}</TableCell>
                  <TableCell>
                    {r.source === 'audit'
                      ? `audit #${r.id}`
                      : `job run ${r.id}`}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      {value && value.total > PAGE && (
        <>
          <Button
            disabled={offset === 0}
            onClick={() => setOffset(offset - PAGE)}
          >
            ←
          </Button>
          <Button
            disabled={offset + PAGE >= value.total}
            onClick={() => setOffset(offset + PAGE)}
          >
            →
          </Button>
        </>
      )}
    </>
  );
}
