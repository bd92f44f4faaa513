import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  serverErrorMessage,
  type ErrorCodeTexts,
} from '@opsdeck/plugin-opsdeck-common';
import { useMemo } from 'react';
import { filesTranslationRef } from '../translation/translation';
import { formatBytes } from './format';

/**
 * A failed call in the reader's language (the response's error code), else
 * the server's message, else the error's own.
 */
export function errorMessage(e: unknown, texts?: ErrorCodeTexts): string {
  return serverErrorMessage(e, { texts });
}

/** The files backend's own error codes in the reader's language. */
export function useFilesErrorTexts(): ErrorCodeTexts {
  const { t } = useTranslationRef(filesTranslationRef);
  return useMemo(
    () => ({
      'files-upload-too-large': e =>
        t('errors.codes.uploadTooLarge', {
          max: typeof e.maxBytes === 'number' ? formatBytes(e.maxBytes) : '?',
        }),
      'files-name-invalid': t('errors.codes.nameInvalid'),
      'files-owner-group-invalid': t('errors.codes.ownerGroupInvalid'),
      'files-owner-group-not-member': e =>
        t('errors.codes.ownerGroupNotMember', { group: String(e.group ?? '') }),
      'files-upload-not-yours': t('errors.codes.uploadNotYours'),
      'files-upload-gone': t('errors.codes.uploadGone'),
      'files-target-path-invalid': e =>
        t('errors.codes.targetPathInvalid', {
          path: String(e.targetPath ?? ''),
        }),
      'files-target-outside-roots': e =>
        t('errors.codes.targetOutsideRoots', {
          path: String(e.targetPath ?? ''),
          refused: String(e.refused ?? ''),
        }),
      'files-file-mode-invalid': e =>
        t('errors.codes.fileModeInvalid', { mode: String(e.fileMode ?? '') }),
      'files-file-owner-invalid': e =>
        t('errors.codes.fileOwnerInvalid', {
          owner: String(e.fileOwner ?? ''),
        }),
      'files-hosts-none-selected': t('distribute.noHostSelected'),
      'files-hosts-unknown': e =>
        t('errors.codes.hostsUnknown', { hosts: String(e.hosts ?? '') }),
      'files-hosts-no-match': t('errors.codes.hostsNoMatch'),
      'files-concurrency-too-high': e =>
        t('errors.codes.concurrencyTooHigh', { max: String(e.max ?? '') }),
      'files-version-missing': t('errors.codes.versionMissing'),
    }),
    [t],
  );
}

/**
 * What a failed tus request says: its opsdeck error body when it has one
 * (the files backend answers every refusal so), else undefined.
 */
export function tusErrorMessage(
  error: unknown,
  texts: ErrorCodeTexts,
): string | undefined {
  const res = (
    error as {
      originalResponse?: { getStatus(): number; getBody(): string } | null;
    }
  )?.originalResponse;
  if (!res) return undefined;
  let body: { error?: unknown } | undefined;
  try {
    body = JSON.parse(res.getBody());
  } catch {
    return undefined;
  }
  if (!body || typeof body.error !== 'object') return undefined;
  return serverErrorMessage(
    { ...body, response: { statusCode: res.getStatus() } },
    { texts },
  );
}

/**
 * Refusals of a distribution target that the UI names in the reader's
 * language, by the backend's code (a request's `error.code` or a host's
 * `errorCode`); the server's message, in English, follows with the details.
 */
export type TargetRefusal =
  | 'outsideRoots'
  | 'symlink'
  | 'notDirectory'
  | 'resolvesElsewhere'
  | 'isDirectory'
  | 'tempChanged';

const TARGET_REFUSALS: Record<string, TargetRefusal> = {
  'files-target-outside-roots': 'outsideRoots',
  'files-target-symlink': 'symlink',
  'files-target-not-directory': 'notDirectory',
  'files-target-resolves-elsewhere': 'resolvesElsewhere',
  'files-target-is-directory': 'isDirectory',
  'files-target-temp-changed': 'tempChanged',
};

export function targetRefusal(
  code: string | undefined,
): TargetRefusal | undefined {
  return code ? TARGET_REFUSALS[code] : undefined;
}

/** The code of a failed call's opsdeck error body, if it has one. */
export function errorCodeOf(e: unknown): string | undefined {
  const code = (e as { body?: { error?: { code?: unknown } } })?.body?.error
    ?.code;
  return typeof code === 'string' ? code : undefined;
}
