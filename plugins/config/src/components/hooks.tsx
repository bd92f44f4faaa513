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
import {
  formatDateTime,
  serverErrorMessage,
  type ErrorCodeTexts,
  type OpsdeckErrorBody,
} from '@opsdeck/plugin-opsdeck-common';
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

/** The config backend's own error codes in the reader's language. */
export function useConfigErrorTexts(): ErrorCodeTexts {
  const t = useT();
  return useMemo(() => {
    const status = (e: OpsdeckErrorBody) => t(`status.${String(e.status)}`, {});
    const fields = (e: OpsdeckErrorBody) =>
      Object.fromEntries(
        ['name', 'hosts', 'release', 'detail', 'kind'].map(k => [
          k,
          String(e[k] ?? ''),
        ]),
      );
    return {
      'config-set-exists': e =>
        t('errors.codes.setExists', { name: String(e.setName ?? '') }),
      'config-prod-refused': e => t('errors.codes.prodRefused', fields(e)),
      'config-release-busy': e =>
        t('errors.codes.releaseBusy', { ...fields(e), status: status(e) }),
      'config-no-hosts': t('errors.codes.noHosts'),
      'config-template-invalid': e =>
        t('errors.codes.templateInvalid', fields(e)),
      'config-syntax-invalid': e =>
        t('errors.codes.syntaxInvalid', {
          ...fields(e),
          kind: String(e.kind ?? '').toUpperCase(),
        }),
      'config-release-moved': e => t('errors.codes.releaseMoved', fields(e)),
      'config-release-not-paused': e =>
        t('errors.codes.releaseNotPaused', { ...fields(e), status: status(e) }),
      'config-release-not-swapped': e =>
        t('errors.codes.releaseNotSwapped', {
          ...fields(e),
          status: status(e),
        }),
    };
  }, [t]);
}

function hasCode(error: Error): boolean {
  const body = (error as { body?: { error?: { code?: unknown } } }).body;
  return typeof body?.error?.code === 'string';
}

/**
 * An error: the config backend's own codes in the reader's language; a 403
 * names the missing permission; any other coded answer says its code
 * (opsdeck-common's serverErrorMessage), an uncoded one its message.
 */
export function ErrorAlert({ error }: { error: Error }) {
  const t = useT();
  const texts = useConfigErrorTexts();
  const code = (error as { body?: { error?: { code?: string } } }).body?.error
    ?.code;
  if (code && texts[code]) {
    return (
      <Alert severity="error">{serverErrorMessage(error, { texts })}</Alert>
    );
  }
  const forbidden = (error as { statusCode?: number }).statusCode === 403;
  const permission = forbidden ? forbiddenPermissionName(error) : undefined;
  if (permission) return <NotAllowed permission={permission} />;
  if (forbidden) return <Alert severity="error">{t('errors.forbidden')}</Alert>;
  return (
    <Alert severity="error">
      {hasCode(error)
        ? serverErrorMessage(error, { texts })
        : t('errors.generic', { message: error.message })}
    </Alert>
  );
}
