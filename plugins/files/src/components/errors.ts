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
 * language (the server's message, in English, follows with the details).
 */
export type TargetRefusal = 'outsideRoots' | 'symlink';

export function targetRefusal(
  message: string | undefined,
): TargetRefusal | undefined {
  if (!message) return undefined;
  if (/is a symbolic link on the host/.test(message)) return 'symlink';
  if (
    /outside the directories allowed|outside the allowed target directories/.test(
      message,
    )
  ) {
    return 'outsideRoots';
  }
  return undefined;
}
