import { useMemo } from 'react';
import {
  coreApis,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { CicdClient } from '../api';
import { cicdTranslationRef } from '../translation/translation';

export function useCicdClient(): CicdClient {
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  return useMemo(
    () => new CicdClient(discoveryApi, fetchApi),
    [discoveryApi, fetchApi],
  );
}

/**
 * The plugin's translation function, typed as a plain function (Backstage's
 * generic message types are slow for tsc); the keys are checked by the
 * en/zh-CN browser test and the translation test.
 */
export type CicdT = (
  key: string,
  options?: Record<string, string | number>,
) => string;

export function useT(): CicdT {
  return useTranslationRef(cicdTranslationRef).t as unknown as CicdT;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}
