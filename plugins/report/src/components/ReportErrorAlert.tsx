import { ResponseError } from '@backstage/errors';
import {
  serverErrorMessage,
  type ErrorCodeTexts,
} from '@opsdeck/plugin-opsdeck-common';
import { Alert } from '@material-ui/lab';
import { useT, type ReportT } from './useReport';

/** The report backend's own refusals (bad week, page size) in the reader's language. */
export function reportErrorTexts(t: ReportT): ErrorCodeTexts {
  return {
    'report-week-invalid': e =>
      t('errors.weekInvalid', { weekStart: String(e.weekStart ?? '') }),
    'report-week-not-monday': e =>
      t('errors.weekNotMonday', { weekStart: String(e.weekStart ?? '') }),
    'report-week-not-ended': e =>
      t('errors.weekNotEnded', { weekStart: String(e.weekStart ?? '') }),
    'report-page-size-invalid': e =>
      t('errors.pageSizeInvalid', { max: String(e.max ?? '') }),
  };
}

/**
 * A load error in words: the backend's coded refusal, a missing permission,
 * or what went wrong.
 */
export function ReportErrorAlert({ error }: { error: Error }) {
  const t = useT();
  const status = error instanceof ResponseError ? error.statusCode : undefined;
  const texts = reportErrorTexts(t);
  const code =
    error instanceof ResponseError
      ? (error.body.error as { code?: unknown }).code
      : undefined;
  let text: string;
  if (typeof code === 'string' && code in texts) {
    text = serverErrorMessage(error, { texts });
  } else if (status === 403) {
    text = t('errors.forbidden');
  } else {
    text = t('errors.generic', { message: error.message });
  }
  return <Alert severity="error">{text}</Alert>;
}
