import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  formatDateTime,
  serverErrorMessage,
  type ErrorCodeTexts,
} from '@opsdeck/plugin-opsdeck-common';
import { useCallback, useMemo } from 'react';
import { auditTranslationRef } from '../translation/translation';

/**
 * A failed call of the audit page in the reader's language: the audit
 * backend's own refusals by their code (a bad time, a reversed range, a page
 * size out of bounds), a missing permission or session by status, anything
 * else with the server's words.
 */
export function useAuditErrorText(): (error: Error) => string {
  const { t } = useTranslationRef(auditTranslationRef);
  const texts: ErrorCodeTexts = useMemo(
    () => ({
      'audit-time-invalid': e =>
        t('errors.timeInvalid', {
          field: e.field === 'to' ? t('filters.to') : t('filters.from'),
          value: String(e.value ?? ''),
        }),
      'audit-time-range-reversed': e =>
        t('errors.timeRangeReversed', {
          from: formatDateTime(String(e.from ?? '')),
          to: formatDateTime(String(e.to ?? '')),
        }),
      'audit-page-size-invalid': e =>
        t('errors.pageSizeInvalid', { max: String(e.max ?? '') }),
    }),
    [t],
  );
  return useCallback(
    (error: Error) => {
      if (ResponseError.is(error)) {
        const code = (error.body.error as { code?: unknown }).code;
        if (typeof code === 'string' && code in texts) {
          return serverErrorMessage(error, { texts });
        }
        if (error.statusCode === 403) return t('errors.forbidden');
        if (error.statusCode === 401) return t('errors.unauthorized');
        if (error.statusCode === 400) {
          return t('errors.invalid', { message: error.cause.message });
        }
        return t('errors.generic', { message: error.cause.message });
      }
      return t('errors.generic', { message: error.message });
    },
    [t, texts],
  );
}
