import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import type { ErrorCodeTexts } from '@opsdeck/plugin-opsdeck-common';
import { useMemo } from 'react';
import { KubernetesActionsClient } from '../api';
import { kubernetesActionsTranslationRef } from '../translation/translation';

/** The flat message keys of the workload actions ('card.title', …). */
export type KubernetesMessageKey = keyof TranslationMessagesOf<
  typeof kubernetesActionsTranslationRef
> &
  string;

type TranslationMessagesOf<TRef> = TRef extends { T: infer TMessages }
  ? TMessages
  : never;

/**
 * The workload actions' translation function, typed with the message keys
 * and plain string options. Backstage's `TranslationFunction` parses every
 * message's `{{placeholders}}` and `$t()` nesting at each call and in the
 * emitted declaration of `useT`: over this plugin's messages that ran the
 * whole-repo `tsc` out of memory (the report and config plugins hit the
 * same). The placeholders are checked by the translation test (en and zh-CN
 * name the same ones) and the en/zh-CN browser test.
 */
export type KubernetesT = (
  key: KubernetesMessageKey,
  options?: Record<string, string>,
) => string;

export function useT(): KubernetesT {
  return useTranslationRef(kubernetesActionsTranslationRef)
    .t as unknown as KubernetesT;
}

/** The module's own error codes, said in the reader's language. */
export function kubernetesErrorTexts(t: KubernetesT): ErrorCodeTexts {
  return {
    'kubernetes-rate-limited': e =>
      t('error.rateLimited', {
        limit: String(e.limit ?? ''),
        seconds: String(e.retryAfterSeconds ?? ''),
      }),
  };
}

export function useActionsClient(): KubernetesActionsClient {
  const discovery = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  return useMemo(
    () => new KubernetesActionsClient(discovery, fetchApi),
    [discovery, fetchApi],
  );
}
