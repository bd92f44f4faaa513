import { useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import { InfoCard, Link, Progress } from '@backstage/core-components';
import { REPORT_SECTIONS } from '@opsdeck/plugin-report-common';
import type { ReportDetail } from '../schema/openapi.client.generated';
import {
  Box,
  Button,
  Chip,
  Grid,
  Table,
  TableBody,
  TableCell,
  TableRow,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import useAsync from 'react-use/esm/useAsync';
import { HighlightsCard } from './HighlightsCard';
import { ReportErrorAlert } from './ReportErrorAlert';
import { figureName, formatTime, useReportClient, useT } from './useReport';

/** One report: highlights, then every section's figures, each a link to its records. */
export function ReportDetailPage() {
  const t = useT();
  const client = useReportClient();
  const id = Number(useParams().id);
  const loaded = useAsync(
    () => client.getReport({ path: { id } }),
    [client, id],
  );
  const [report, setReport] = useState<ReportDetail>();
  const [error, setError] = useState<string>();
  useEffect(() => setReport(loaded.value), [loaded.value]);

  if (loaded.loading) return <Progress />;
  if (loaded.error) return <ReportErrorAlert error={loaded.error} />;
  if (!report) return null;

  const sendNow = async () => {
    setError(undefined);
    try {
      setReport(await client.sendReport({ path: { id: report.id } }));
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Link to="..">{t('detail.back')}</Link>
        <Box display="flex" alignItems="center" mt={1} style={{ gap: 12 }}>
          <Typography variant="h5" data-testid="report-title">
            {report.scopeTitle}
          </Typography>
          <Chip size="small" label={t(`state.${report.state}`)} />
        </Box>
        <Typography color="textSecondary">
          {t('detail.week', {
            week: report.weekStart,
            timezone: report.timezone,
          })}
        </Typography>
        {error && <Alert severity="error">{error}</Alert>}
        {report.state === 'draft' && (
          <Alert
            severity="info"
            action={
              report.canEdit ? (
                <Button color="primary" onClick={sendNow}>
                  {t('detail.sendNow')}
                </Button>
              ) : undefined
            }
          >
            {t('detail.draftNotice', { sendAt: formatTime(report.sendAt) })}
          </Alert>
        )}
        {report.state === 'sent' && (
          <Alert severity="success">
            {t('detail.sentNotice', { sentAt: formatTime(report.sentAt) })}{' '}
            {t('detail.deliveries', {
              sent: String(report.deliveries.sent),
              failed: String(report.deliveries.failed),
              uncertain: String(report.deliveries.uncertain),
            })}
          </Alert>
        )}
      </Grid>
      <Grid item xs={12}>
        <HighlightsCard report={report} onChange={setReport} />
      </Grid>
      {REPORT_SECTIONS.map(section => {
        const connected = report.sections.find(
          s => s.section === section,
        )?.connected;
        const figures = report.figures.filter(f => f.section === section);
        return (
          <Grid item xs={12} md={6} key={section}>
            <InfoCard title={t(`sections.${section}`)}>
              {!connected || figures.length === 0 ? (
                <Typography color="textSecondary">
                  {t('detail.notConnected')}
                </Typography>
              ) : (
                <Table size="small">
                  <TableBody>
                    {figures.map(f => (
                      <TableRow key={f.key} data-testid={`figure-${f.key}`}>
                        <TableCell>{figureName(t, f.key)}</TableCell>
                        <TableCell align="right">
                          <Link
                            to={`figures/${f.key}`}
                            aria-label={t('detail.figureLink', {
                              count: f.value,
                            })}
                          >
                            {f.value}
                          </Link>
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              )}
            </InfoCard>
          </Grid>
        );
      })}
    </Grid>
  );
}
