import { ResponseError } from '@backstage/errors';
import {
  serverErrorMessage,
  type ErrorCodeTexts,
  type OpsdeckErrorBody,
} from '@opsdeck/plugin-opsdeck-common';
import { Alert } from '@material-ui/lab';
import { useMemo } from 'react';
import { useT, type RegistryT } from './useRegistry';

/** The registry backend's own error codes in the reader's language. */
export function registryErrorTexts(t: RegistryT): ErrorCodeTexts {
  const fields = (e: OpsdeckErrorBody) =>
    Object.fromEntries(
      [
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
      ].map(k => [k, String(e[k] ?? '')]),
    );
  return {
    'registry-tag-moved': e => t('errors.codes.tagMoved', fields(e)),
    'registry-image-running': e => t('errors.codes.imageRunning', fields(e)),
    'registry-too-many-tags': e => t('errors.codes.tooManyTags', fields(e)),
    'registry-platform-image': e => t('errors.codes.platformImage', fields(e)),
    'registry-digest-shared': e => t('errors.codes.digestShared', fields(e)),
    'registry-retention-changed': e =>
      t('errors.codes.retentionChanged', fields(e)),
    'registry-credential-type': e =>
      t('errors.codes.credentialType', fields(e)),
    'registry-unreachable': e => t('errors.codes.unreachable', fields(e)),
    'registry-tls': e => t('errors.codes.tls', fields(e)),
    'registry-login-refused': e => t('errors.codes.loginRefused', fields(e)),
    'registry-failed': e => t('errors.codes.failed', fields(e)),
    'registry-credential-missing': e =>
      t('errors.codes.credentialMissing', fields(e)),
    'registry-credential-denied': e =>
      t('errors.codes.credentialDenied', fields(e)),
  };
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
