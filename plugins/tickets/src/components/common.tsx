import {
  coreApis,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { Chip } from '@material-ui/core';
import { useMemo } from 'react';
import { TicketsClient, TicketState } from '../api/TicketsClient';
import { ticketsTranslationRef } from '../translation/translation';

export function useTicketsClient(): TicketsClient {
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  return useMemo(
    () => new TicketsClient(discoveryApi, fetchApi),
    [discoveryApi, fetchApi],
  );
}

const COLORS: Record<TicketState, 'default' | 'primary' | 'secondary'> = {
  submitted: 'default',
  awaiting_approval: 'primary',
  approved: 'primary',
  rejected: 'secondary',
  fulfilling: 'primary',
  done: 'default',
  failed: 'secondary',
};

/** The translated name of each state. */
export function useStateLabel(): (state: TicketState) => string {
  const { t } = useTranslationRef(ticketsTranslationRef);
  return state =>
    ({
      submitted: t('states.submitted'),
      awaiting_approval: t('states.awaiting_approval'),
      approved: t('states.approved'),
      rejected: t('states.rejected'),
      fulfilling: t('states.fulfilling'),
      done: t('states.done'),
      failed: t('states.failed'),
    }[state]);
}

export function StateChip({ state }: { state: TicketState }) {
  const label = useStateLabel();
  return (
    <Chip
      size="small"
      color={COLORS[state]}
      label={label(state)}
      data-testid="ticket-state"
    />
  );
}

/** `user:default/frank` → `frank`. */
export function shortRef(ref: string): string {
  return ref.replace(/^[a-z]+:default\//, '');
}

export function errorStatus(error: unknown): number | undefined {
  return (error as { response?: { status?: number } })?.response?.status;
}
