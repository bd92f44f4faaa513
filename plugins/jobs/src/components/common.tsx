import { useMemo } from 'react';
import { useAllowed } from '@opsdeck/plugin-opsdeck-common/react';
import {
  jobsAdhocReadPermission,
  jobsManagePermission,
  jobsRunPermission,
  serverErrorMessage,
} from '@opsdeck/plugin-opsdeck-common';
import {
  coreApis,
  TranslationFunction,
  TranslationRef,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { Chip } from '@material-ui/core';
import { HostStatus, JobsClient, RunStatus, Selector } from '../api';
import { jobsTranslationRef } from '../translation/translation';
import { formatDateTime } from '@opsdeck/plugin-opsdeck-common';
import { HostSelectorField } from '@opsdeck/plugin-cmdb-react';

type JobsMessages = typeof jobsTranslationRef extends TranslationRef<
  string,
  infer M
>
  ? M
  : never;

/** The jobs plugin's translation function. */
export type JobsT = TranslationFunction<JobsMessages>;

/**
 * The return type is spelled out: declaration emit of the inferred translation
 * function type over this many messages makes tsc run out of memory.
 */
export function useT(): JobsT {
  return useTranslationRef(jobsTranslationRef).t;
}

export function useJobsClient(): JobsClient {
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  return useMemo(
    () => new JobsClient(discoveryApi, fetchApi),
    [discoveryApi, fetchApi],
  );
}

/** A user-facing message for an API error. */
export function useErrorText() {
  const t = useT();
  return (e: unknown): string => {
    if (e instanceof ResponseError) {
      if (e.statusCode === 401) return t('errors.unauthorized');
      if (e.statusCode === 403) {
        const prod =
          /run jobs on (.+) \(production hosts need opsdeck\.jobs\.run\.prod\)$/.exec(
            e.body.error.message,
          );
        if (prod) return t('errors.prodForbidden', { hosts: prod[1] });
        return `${t('errors.forbidden')}: ${serverErrorMessage(e)}`;
      }
      return t('errors.generic', { message: serverErrorMessage(e) });
    }
    return t('errors.generic', {
      message: e instanceof Error ? e.message : String(e),
    });
  };
}

export const time = (iso?: string) => formatDateTime(iso);

export const shortRef = (ref: string) => ref.replace(/^user:default\//, '');

const COLORS: Record<string, string> = {
  succeeded: '#2e7d32',
  failed: '#c62828',
  timed_out: '#c62828',
  error: '#c62828',
  running: '#1565c0',
  pending: '#757575',
  cancelled: '#6d4c41',
  skipped: '#757575',
  interrupted: '#ef6c00',
};

export function StatusChip(props: { status: RunStatus | HostStatus }) {
  const t = useT();
  return (
    <Chip
      size="small"
      label={t(`status.${props.status}`)}
      data-status={props.status}
      style={{ backgroundColor: COLORS[props.status], color: '#fff' }}
    />
  );
}

const list = (text: string) =>
  text
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);

/** Selector fields as the user types them. */
export type SelectorDraft = {
  names: string;
  system: string;
  owner: string;
  environment: string;
  tags: string;
};

export const emptySelector: SelectorDraft = {
  names: '',
  system: '',
  owner: '',
  environment: '',
  tags: '',
};

export function toSelector(d: SelectorDraft): Selector {
  const s: Selector = {};
  if (list(d.names).length) s.names = list(d.names);
  if (d.system.trim()) s.system = d.system.trim();
  if (d.owner.trim()) s.owner = d.owner.trim();
  if (d.environment.trim()) s.environment = d.environment.trim();
  if (list(d.tags).length) s.tags = list(d.tags);
  return s;
}

/** The draft a saved selector is edited as. */
export function fromSelector(s: Selector): SelectorDraft {
  return {
    names: (s.names ?? []).join(', '),
    system: s.system ?? '',
    owner: s.owner ?? '',
    environment: s.environment ?? '',
    tags: (s.tags ?? []).join(', '),
  };
}

/**
 * The hosts to run on: the CMDB's one host selection field (catalog values,
 * live "N hosts match" preview), on the draft the dialogs keep.
 */
export function SelectorFields(props: {
  value: SelectorDraft;
  onChange(value: SelectorDraft): void;
}) {
  const d = props.value;
  return (
    <HostSelectorField
      idPrefix="jobs-selector"
      value={{
        names: list(d.names),
        system: d.system,
        owner: d.owner,
        environment: d.environment,
        tags: list(d.tags),
      }}
      onChange={s =>
        props.onChange({
          names: (s.names ?? []).join(', '),
          system: s.system ?? '',
          owner: s.owner ?? '',
          environment: s.environment ?? '',
          tags: (s.tags ?? []).join(', '),
        })
      }
    />
  );
}

/**
 * Whether the user may save jobs and schedules (manage), start runs, and see
 * others' ad-hoc commands (adhocRead).
 */
export function useCan() {
  const manage = useAllowed(jobsManagePermission).allowed;
  const run = useAllowed(jobsRunPermission).allowed;
  const adhocRead = useAllowed(jobsAdhocReadPermission);
  return {
    manage,
    run,
    adhocRead: adhocRead.allowed,
    adhocReadLoading: adhocRead.loading,
  };
}
