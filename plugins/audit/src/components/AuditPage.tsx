import { ChangeEvent, FormEvent, useMemo, useState } from 'react';
import {
  coreApis,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { Content, Progress } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import type {
  AuditEvent,
  AuditEventQuery,
} from '@opsdeck/plugin-opsdeck-common';
import {
  Box,
  Button,
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
  Tooltip,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import useAsync from 'react-use/esm/useAsync';
import { AuditClient } from '../api';
import { auditTranslationRef } from '../translation/translation';

const PAGE_SIZE = 50;

type Filters = {
  actor: string;
  action: string;
  plugin: string;
  target: string;
  from: string;
  to: string;
};

const emptyFilters: Filters = {
  actor: '',
  action: '',
  plugin: '',
  target: '',
  from: '',
  to: '',
};

/** `datetime-local` value (local time) to ISO 8601, or undefined. */
function toIso(value: string): string | undefined {
  if (!value) return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

function toQuery(filters: Filters): AuditEventQuery {
  return {
    actor: filters.actor.trim() || undefined,
    action: filters.action || undefined,
    plugin: filters.plugin || undefined,
    target: filters.target.trim() || undefined,
    from: toIso(filters.from),
    to: toIso(filters.to),
  };
}

/** The Audit page: a filterable, paged table of the persisted audit log. */
export function AuditPage() {
  const { t } = useTranslationRef(auditTranslationRef);
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  const client = useMemo(
    () => new AuditClient(discoveryApi, fetchApi),
    [discoveryApi, fetchApi],
  );

  // What the form shows, and what was last applied.
  const [draft, setDraft] = useState<Filters>(emptyFilters);
  const [applied, setApplied] = useState<Filters>(emptyFilters);
  // Cursors of the pages before the current one; the last is this page's.
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const before = cursors[cursors.length - 1];

  const facets = useAsync(() => client.getFacets(), [client]);
  const page = useAsync(
    () => client.listEvents({ ...toQuery(applied), before, limit: PAGE_SIZE }),
    [client, applied, before],
  );

  const apply = (next: Filters) => {
    setApplied(next);
    setCursors([undefined]);
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    apply(draft);
  };
  const onReset = () => {
    setDraft(emptyFilters);
    apply(emptyFilters);
  };
  const set = (key: keyof Filters) => (e: ChangeEvent<{ value: unknown }>) =>
    setDraft(d => ({ ...d, [key]: String(e.target.value ?? '') }));

  const errorText = (error: Error) => {
    if (ResponseError.is(error)) {
      if (error.statusCode === 403) return t('errors.forbidden');
      if (error.statusCode === 401) return t('errors.unauthorized');
      if (error.statusCode === 400) {
        return t('errors.invalid', { message: error.cause.message });
      }
      return t('errors.generic', { message: error.cause.message });
    }
    return t('errors.generic', { message: error.message });
  };

  const statusChip = (event: AuditEvent) => {
    const chip = (
      <Chip
        size="small"
        label={t(`status.${event.status}`)}
        color={event.status === 'failed' ? 'secondary' : 'default'}
      />
    );
    return event.error ? <Tooltip title={event.error}>{chip}</Tooltip> : chip;
  };

  return (
    <Content>
      <Typography variant="body1" paragraph>
        {t('page.subtitle')}
      </Typography>

      <Paper>
        <Box
          component="form"
          onSubmit={onSubmit}
          p={2}
          display="flex"
          flexWrap="wrap"
          alignItems="flex-start"
          style={{ gap: 16 }}
          aria-label={t('page.title')}
        >
          <TextField
            id="audit-filter-user"
            label={t('filters.user')}
            placeholder={t('filters.userPlaceholder')}
            value={draft.actor}
            onChange={set('actor')}
            size="small"
            variant="outlined"
          />
          <TextField
            id="audit-filter-action"
            select
            label={t('filters.action')}
            value={draft.action}
            onChange={set('action')}
            size="small"
            variant="outlined"
            style={{ minWidth: 180 }}
            SelectProps={{ 'data-testid': 'audit-filter-action' } as any}
          >
            <MenuItem value="">{t('filters.any')}</MenuItem>
            {(facets.value?.actions ?? []).map(action => (
              <MenuItem key={action} value={action}>
                {action}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            id="audit-filter-plugin"
            select
            label={t('filters.plugin')}
            value={draft.plugin}
            onChange={set('plugin')}
            size="small"
            variant="outlined"
            style={{ minWidth: 140 }}
          >
            <MenuItem value="">{t('filters.any')}</MenuItem>
            {(facets.value?.plugins ?? []).map(plugin => (
              <MenuItem key={plugin} value={plugin}>
                {plugin}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            id="audit-filter-target"
            label={t('filters.target')}
            helperText={t('filters.targetHelp')}
            value={draft.target}
            onChange={set('target')}
            size="small"
            variant="outlined"
          />
          <TextField
            id="audit-filter-from"
            label={t('filters.from')}
            type="datetime-local"
            value={draft.from}
            onChange={set('from')}
            size="small"
            variant="outlined"
            InputLabelProps={{ shrink: true }}
          />
          <TextField
            id="audit-filter-to"
            label={t('filters.to')}
            type="datetime-local"
            value={draft.to}
            onChange={set('to')}
            size="small"
            variant="outlined"
            InputLabelProps={{ shrink: true }}
          />
          <Button type="submit" variant="contained" color="primary">
            {t('filters.apply')}
          </Button>
          <Button type="button" onClick={onReset}>
            {t('filters.reset')}
          </Button>
        </Box>
      </Paper>

      <Box mt={2}>
        {page.error && <Alert severity="error">{errorText(page.error)}</Alert>}
        {!page.error && facets.error && (
          <Alert severity="warning">{errorText(facets.error)}</Alert>
        )}
        {page.loading && <Progress />}
        {!page.loading && !page.error && page.value && (
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
                {page.value.items.length === 0 && (
                  <TableRow>
                    <TableCell colSpan={6}>{t('table.empty')}</TableCell>
                  </TableRow>
                )}
                {page.value.items.map(event => (
                  <TableRow key={event.id} data-testid="audit-row">
                    <TableCell>
                      <time dateTime={event.time}>
                        {new Date(event.time).toLocaleString()}
                      </time>
                    </TableCell>
                    <TableCell>{event.actor}</TableCell>
                    <TableCell>{event.action}</TableCell>
                    <TableCell>{event.plugin}</TableCell>
                    <TableCell>{event.target}</TableCell>
                    <TableCell>{statusChip(event)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        )}
        <Box mt={1} display="flex" alignItems="center" style={{ gap: 8 }}>
          <Button
            disabled={cursors.length <= 1 || page.loading}
            onClick={() => setCursors(c => c.slice(0, -1))}
          >
            {t('paging.previous')}
          </Button>
          <Typography variant="body2">
            {t('paging.page', { page: String(cursors.length) })}
          </Typography>
          <Button
            disabled={page.value?.nextCursor === undefined || page.loading}
            onClick={() =>
              setCursors(c => [...c, page.value?.nextCursor ?? undefined])
            }
          >
            {t('paging.next')}
          </Button>
        </Box>
      </Box>
    </Content>
  );
}
