import { useMemo } from 'react';
import {
  coreApis,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import type { ReportFigureKey } from '@opsdeck/plugin-report-common';
import { ReportClient } from '../api';
import { reportTranslationRef } from '../translation/translation';

/** The report client of the app's discovery and fetch APIs. */
export function useReportClient(): ReportClient {
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  return useMemo(
    () => new ReportClient(discoveryApi, fetchApi),
    [discoveryApi, fetchApi],
  );
}

export function useT() {
  return useTranslationRef(reportTranslationRef).t;
}

/** Message key of a figure's name (`sql.executed` → `figures.sqlExecuted`). */
export function figureMessage(key: ReportFigureKey) {
  return `figures.${key.replace(/\.(\w)/, (_, c: string) =>
    c.toUpperCase(),
  )}` as const;
}

export function formatTime(iso: string | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '';
}
