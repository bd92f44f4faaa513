import { useMemo, useState } from 'react';
import {
  coreApis,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { Content, Progress } from '@backstage/core-components';
import type {
  AuditEvent,
  AuditEventQuery,
  AuditOutcome,
} from '@opsdeck/plugin-opsdeck-common';
import { Box, Button, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import useAsync from 'react-use/esm/useAsync';
import { AuditClient } from '../api';
import { auditTranslationRef } from '../translation/translation';
import { AuditFilters, emptyFilters, Filters } from './AuditFilters';
import { AuditTable } from './AuditTable';
import { useCatalogOptions } from './catalogOptions';
import { EventDrawer } from './EventDrawer';
import { useAuditErrorText } from './errors';

const PAGE_SIZE = 50;

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
    outcome: (filters.outcome || undefined) as AuditOutcome | undefined,
    from: toIso(filters.from),
    to: toIso(filters.to),
  };
}

/** Saves a blob as a file in the browser. */
function download(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The Audit page: the persisted audit log, filtered by actor, target,
 * outcome, action, plugin and time; a row opens its details; the filtered
 * log exports as CSV.
 */
export function AuditPage() {
  const { t } = useTranslationRef(auditTranslationRef);
  const errorText = useAuditErrorText();
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  const client = useMemo(
    () => new AuditClient(discoveryApi, fetchApi),
    [discoveryApi, fetchApi],
  );
  const { users, targets } = useCatalogOptions();

  // What the form shows, and what was last applied.
  const [draft, setDraft] = useState<Filters>(emptyFilters);
  const [applied, setApplied] = useState<Filters>(emptyFilters);
  // Cursors of the pages before the current one; the last is this page's.
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const before = cursors[cursors.length - 1];
  const [open, setOpen] = useState<AuditEvent | undefined>();
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<Error | undefined>();

  const facets = useAsync(() => client.getFacets(), [client]);
  const page = useAsync(
    () => client.listEvents({ ...toQuery(applied), before, limit: PAGE_SIZE }),
    [client, applied, before],
  );

  const apply = (next: Filters) => {
    setApplied(next);
    setCursors([undefined]);
  };
  const onExport = async () => {
    setExporting(true);
    setExportError(undefined);
    try {
      // what the form shows now, as a reader expects
      download(await client.exportCsv(toQuery(draft)), 'audit-events.csv');
    } catch (error) {
      setExportError(error as Error);
    } finally {
      setExporting(false);
    }
  };

  return (
    <Content>
      <Typography variant="body1" paragraph>
        {t('page.subtitle')}
      </Typography>

      <AuditFilters
        draft={draft}
        onDraft={setDraft}
        onApply={() => apply(draft)}
        onReset={() => {
          setDraft(emptyFilters);
          apply(emptyFilters);
        }}
        onExport={onExport}
        exporting={exporting}
        facets={facets.value}
        users={users}
        targets={targets}
      />

      <Box mt={2}>
        {exportError && (
          <Alert severity="error">{errorText(exportError)}</Alert>
        )}
        {page.error && <Alert severity="error">{errorText(page.error)}</Alert>}
        {!page.error && facets.error && (
          <Alert severity="warning">{errorText(facets.error)}</Alert>
        )}
        {page.loading && <Progress />}
        {!page.loading && !page.error && page.value && (
          <AuditTable items={page.value.items} onOpen={setOpen} />
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
      <EventDrawer event={open} onClose={() => setOpen(undefined)} />
    </Content>
  );
}
