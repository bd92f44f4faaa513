import { coreApis, useApi } from '@backstage/frontend-plugin-api';
import { useMemo } from 'react';
import {
  serverErrorMessage,
  type ErrorCodeTexts,
} from '@opsdeck/plugin-opsdeck-common';
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

/**
 * What to tell the user: the backend's own message when the error came from a
 * response, in the display language when it carries opsdeck's error code or
 * one of `texts` (the bastion's own codes, bastionErrorTexts).
 */
export function messageOf(e: unknown, texts?: ErrorCodeTexts): string {
  const body = (e as { body?: { error?: { message?: unknown } } } | undefined)
    ?.body;
  if (typeof body?.error?.message === 'string') {
    return serverErrorMessage(e, texts ? { texts } : {});
  }
  return e instanceof Error ? e.message : String(e);
}
