import { coreApis, useApi } from '@backstage/frontend-plugin-api';
import { useMemo } from 'react';
import { BastionClient } from '../api/BastionClient';

export function useBastionClient(): BastionClient {
  const discovery = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  const identity = useApi(coreApis.identity);
  return useMemo(
    () => new BastionClient(discovery, fetchApi, identity),
    [discovery, fetchApi, identity],
  );
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
