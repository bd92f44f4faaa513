import { useMemo } from 'react';
import {
  coreApis,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import type { ReportFigureKey } from '@opsdeck/plugin-report-common';
import { DefaultApiClient } from '../schema/openapi.client.generated';
import { reportTranslationRef } from '../translation/translation';
import { formatDateTime } from '@opsdeck/plugin-opsdeck-common';

/** The generated report client over the app's discovery and fetch APIs. */
export function useReportClient(): DefaultApiClient {
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  return useMemo(
    () => new DefaultApiClient({ discoveryApi, fetchApi }),
    [discoveryApi, fetchApi],
  );
}

/**
 * The report's translation function, typed as a plain function: Backstage's
 * generic message types over this plugin's messages made `tsc` run for tens of
 * minutes and out of memory. The keys are checked by the en/zh-CN browser test.
 */
export type ReportT = (
  key: string,
  options?: Record<string, string | number>,
) => string;

export function useT(): ReportT {
  return useTranslationRef(reportTranslationRef).t as unknown as ReportT;
}

/**
 * The translated name of a figure (`sql.executed` → message `figures.sqlExecuted`).
 */
export function figureName(t: ReportT, key: ReportFigureKey): string {
  return t(
    `figures.${key.replace(/\.(\w)/, (_, c: string) => c.toUpperCase())}`,
  );
}

export function formatTime(iso: string | undefined): string {
  return formatDateTime(iso);
}
