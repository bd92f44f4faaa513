import { useMemo } from 'react';
import {
  coreApis,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { DefaultApiClient } from '../schema/openapi.client.generated';
import { registryTranslationRef } from '../translation/translation';

/** The generated registry client over the app's discovery and fetch APIs. */
export function useRegistryClient(): DefaultApiClient {
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  return useMemo(
    () => new DefaultApiClient({ discoveryApi, fetchApi }),
    [discoveryApi, fetchApi],
  );
}

/** The path parameters of a registry resource ref (`resource:default/harbor`). */
export function registryPath(ref: string): { namespace: string; name: string } {
  const [, rest] = ref.split(':');
  const [namespace, name] = rest.split('/');
  return { namespace, name };
}

/**
 * The translation function, typed as a plain function (Backstage's generic
 * message types make `tsc` slow; see the report plugin).
 */
export type RegistryT = (
  key: string,
  options?: Record<string, string | number>,
) => string;

export function useT(): RegistryT {
  return useTranslationRef(registryTranslationRef).t as unknown as RegistryT;
}

/** 1536 → "1.5 KiB". */
export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
