import { useMemo } from 'react';
import {
  coreApis,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import {
  configEditPermission,
  configPushPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { formatDateTime } from '@opsdeck/plugin-opsdeck-common';
import {
  forbiddenPermissionName,
  NotAllowed,
  useAllowed,
} from '@opsdeck/plugin-opsdeck-common/react';
import { Alert } from '@material-ui/lab';
import { ConfigClient } from '../api';
import { configTranslationRef } from '../translation/translation';

export function useConfigClient(): ConfigClient {
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  return useMemo(
    () => new ConfigClient(discoveryApi, fetchApi),
    [discoveryApi, fetchApi],
  );
}

/**
 * The plugin's translation function as a plain function (Backstage's generic
 * message types make tsc very slow); keys are checked by the en/zh-CN
 * browser test and the translation test.
 */
export type ConfigT = (
  key: string,
  options?: Record<string, string | number>,
) => string;

export function useT(): ConfigT {
  return useTranslationRef(configTranslationRef).t as unknown as ConfigT;
}

/** What the signed-in user may do (the UI hides the rest). */
export function useAbilities() {
  const edit = useAllowed(configEditPermission);
  const push = useAllowed(configPushPermission);
  return { canEdit: edit.allowed, canPush: push.allowed };
}

export const formatTime = (iso?: string) => formatDateTime(iso);

/** A unified diff with added and removed lines coloured. */
export function DiffView({ diff, empty }: { diff: string; empty: string }) {
  if (!diff) return <em>{empty}</em>;
  return (
    <pre
      data-testid="config-diff"
      style={{
        fontSize: 12,
        overflowX: 'auto',
        background: 'rgba(127,127,127,0.08)',
        padding: 8,
      }}
    >
      {diff.split('\n').map((line, i) => {
        let color: string | undefined;
        if (line.startsWith('+') && !line.startsWith('+++')) color = '#2e7d32';
        else if (line.startsWith('-') && !line.startsWith('---'))
          color = '#c62828';
        return (
          <div key={i} style={{ color }}>
            {line || ' '}
          </div>
        );
      })}
    </pre>
  );
}

/** An error: a 403 names the missing permission, anything else its message. */
export function ErrorAlert({ error }: { error: Error }) {
  const t = useT();
  const forbidden = (error as { statusCode?: number }).statusCode === 403;
  const permission = forbidden ? forbiddenPermissionName(error) : undefined;
  if (permission) return <NotAllowed permission={permission} />;
  return (
    <Alert severity="error">
      {forbidden
        ? t('errors.forbidden')
        : t('errors.generic', { message: error.message })}
    </Alert>
  );
}
