import { ResponseError } from '@backstage/errors';
import {
  serverErrorMessage,
  type ErrorCodeTexts,
  type OpsdeckErrorBody,
} from '@opsdeck/plugin-opsdeck-common';
import { Alert } from '@material-ui/lab';
import { useMemo } from 'react';
import { useT, type RegistryT } from './useRegistry';

/** The registry backend's own error codes and their text under `errors.codes`. */
const CODE_KEYS: Record<string, string> = {
  'registry-tag-moved': 'tagMoved',
  'registry-image-running': 'imageRunning',
  'registry-too-many-tags': 'tooManyTags',
  'registry-platform-image': 'platformImage',
  'registry-digest-shared': 'digestShared',
  'registry-retention-changed': 'retentionChanged',
  'registry-credential-type': 'credentialType',
  'registry-unreachable': 'unreachable',
  'registry-tls': 'tls',
  'registry-login-refused': 'loginRefused',
  'registry-failed': 'failed',
  'registry-credential-missing': 'credentialMissing',
  'registry-credential-denied': 'credentialDenied',
};

/** The details the texts name ({{image}}, {{places}}, …). */
const DETAILS = [
  'image',
  'digest',
  'places',
  'tags',
  'repository',
  'count',
  'max',
  'planned',
  'confirmed',
  'credential',
  'registry',
  'reason',
  'answered',
];

/** The registry backend's own error codes in the reader's language. */
export function registryErrorTexts(t: RegistryT): ErrorCodeTexts {
  const fields = (e: OpsdeckErrorBody) =>
    Object.fromEntries(DETAILS.map(k => [k, String(e[k] ?? '')]));
  return Object.fromEntries(
    Object.entries(CODE_KEYS).map(([code, key]) => [
      code,
      (e: OpsdeckErrorBody) => t(`errors.codes.${key}`, fields(e)),
    ]),
  );
}

/** The code of a registry backend answer, if it has one. */
export function registryErrorCode(error: unknown): string | undefined {
  return error instanceof ResponseError
    ? (error.body?.error as { code?: string } | undefined)?.code
    : undefined;
}

/**
 * An error in words: the registry's own codes and opsdeck's in the reader's
 * language (opsdeck-common's serverErrorMessage), a 403 without one as the
 * missing permission, anything else what went wrong.
 */
export function RegistryErrorAlert({ error }: { error: Error }) {
  const t = useT();
  const texts = useMemo(() => registryErrorTexts(t), [t]);
  const code = registryErrorCode(error);
  const status = error instanceof ResponseError ? error.statusCode : undefined;
  let text: string;
  if (code && texts[code]) text = serverErrorMessage(error, { texts });
  else if (status === 403) text = t('errors.forbidden');
  else {
    text = t('errors.generic', {
      message: serverErrorMessage(error, { texts }),
    });
  }
  return <Alert severity="error">{text}</Alert>;
}
