import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { AuditEvent } from '@opsdeck/plugin-opsdeck-common';
import {
  Box,
  Drawer,
  IconButton,
  Table,
  TableBody,
  TableCell,
  TableRow,
  Typography,
} from '@material-ui/core';
import CloseIcon from '@material-ui/icons/Close';
import { auditTranslationRef } from '../translation/translation';
import { OutcomeChip } from './OutcomeChip';
import { formatDateTime } from '@opsdeck/plugin-opsdeck-common';

/** Keys whose values are never shown, at any depth (the server drops them too). */
const SECRET_KEY = /password|secret|token|privatekey|apikey/i;

/** The meta of an event for display: secret-like keys masked. */
export function displayMeta(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(displayMeta);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        SECRET_KEY.test(k) ? '••••••' : displayMeta(v),
      ]),
    );
  }
  return value;
}

/** Everything recorded about one audit event, beside the table. */
export function EventDrawer(props: { event?: AuditEvent; onClose(): void }) {
  const { t } = useTranslationRef(auditTranslationRef);
  const { event } = props;
  const rows: [string, React.ReactNode][] = event
    ? [
        [t('details.time'), formatDateTime(event.time)],
        [t('details.outcome'), <OutcomeChip event={event} />],
        [t('details.actor'), event.actor || '—'],
        [t('details.via'), event.via?.join(' → ') || '—'],
        [t('details.action'), event.action],
        [t('details.plugin'), event.plugin],
        [t('details.target'), event.target || '—'],
        [t('details.severity'), event.severity],
        [t('details.error'), event.error ?? '—'],
        [t('details.ip'), event.ip ?? '—'],
        [t('details.requestId'), event.requestId ?? '—'],
        [t('details.id'), String(event.id)],
      ]
    : [];
  return (
    <Drawer anchor="right" open={Boolean(event)} onClose={props.onClose}>
      <Box
        width={520}
        maxWidth="100vw"
        p={2}
        role="dialog"
        aria-label={t('details.title')}
        data-testid="audit-details"
      >
        <Box display="flex" alignItems="center" justifyContent="space-between">
          <Typography variant="h6">{t('details.title')}</Typography>
          <IconButton aria-label={t('details.close')} onClick={props.onClose}>
            <CloseIcon />
          </IconButton>
        </Box>
        {event && (
          <>
            <Table size="small">
              <TableBody>
                {rows.map(([label, value]) => (
                  <TableRow key={label}>
                    <TableCell component="th" scope="row">
                      {label}
                    </TableCell>
                    <TableCell style={{ wordBreak: 'break-all' }}>
                      {value}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <Box mt={2}>
              <Typography variant="subtitle2">{t('details.meta')}</Typography>
              <Box
                component="pre"
                data-testid="audit-details-meta"
                style={{
                  whiteSpace: 'pre-wrap',
                  wordBreak: 'break-all',
                  fontSize: 12,
                }}
              >
                {JSON.stringify(displayMeta(event.meta), null, 2)}
              </Box>
            </Box>
          </>
        )}
      </Box>
    </Drawer>
  );
}
