import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { useMemo } from 'react';
import { KubernetesActionsClient } from '../api';
import { kubernetesActionsTranslationRef } from '../translation/translation';

export function useT() {
  return useTranslationRef(kubernetesActionsTranslationRef).t;
}

export function useActionsClient() {
  const discovery = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  return useMemo(
    () => new KubernetesActionsClient(discovery, fetchApi),
    [discovery, fetchApi],
  );
}
