import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { AuditEvent } from '@opsdeck/plugin-opsdeck-common';
import {
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { auditTranslationRef } from '../translation/translation';
import { OutcomeChip } from './OutcomeChip';
import { formatDateTime } from '@opsdeck/plugin-opsdeck-common';

/** The events, newest first; a row opens its details. */
export function AuditTable(props: {
  items: AuditEvent[];
  onOpen(event: AuditEvent): void;
}) {
  const { t } = useTranslationRef(auditTranslationRef);
  return (
    <TableContainer component={Paper}>
      <Table size="small" aria-label={t('table.caption')}>
        <TableHead>
          <TableRow>
            <TableCell>{t('table.time')}</TableCell>
            <TableCell>{t('table.user')}</TableCell>
            <TableCell>{t('table.action')}</TableCell>
            <TableCell>{t('table.plugin')}</TableCell>
            <TableCell>{t('table.target')}</TableCell>
            <TableCell>{t('table.status')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.items.length === 0 && (
            <TableRow>
              <TableCell colSpan={6}>{t('table.empty')}</TableCell>
            </TableRow>
          )}
          {props.items.map(event => (
            <TableRow
              key={event.id}
              data-testid="audit-row"
              hover
              tabIndex={0}
              style={{ cursor: 'pointer' }}
              aria-label={t('table.open', { id: String(event.id) })}
              onClick={() => props.onOpen(event)}
              onKeyDown={e => {
                if (e.key === 'Enter') props.onOpen(event);
              }}
            >
              <TableCell>
                <time dateTime={event.time}>{formatDateTime(event.time)}</time>
              </TableCell>
              <TableCell>
                <div>{event.actor}</div>
                {event.via && event.via.length > 0 && (
                  <Typography variant="caption" color="textSecondary">
                    {t('table.via', { via: event.via.join(' → ') })}
                  </Typography>
                )}
              </TableCell>
              <TableCell>{event.action}</TableCell>
              <TableCell>{event.plugin}</TableCell>
              <TableCell>{event.target}</TableCell>
              <TableCell>
                <OutcomeChip event={event} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
