import { ResponseError } from '@backstage/errors';
import { Alert } from '@material-ui/lab';
import { useT } from './useRegistry';

/** A load error in words: missing permission, or what went wrong. */
export function RegistryErrorAlert({ error }: { error: Error }) {
  const t = useT();
  const status = error instanceof ResponseError ? error.statusCode : undefined;
  return (
    <Alert severity="error">
      {status === 403
        ? t('errors.forbidden')
        : t('errors.generic', {
            message:
              error instanceof ResponseError
                ? error.body?.error?.message ?? error.message
                : error.message,
          })}
    </Alert>
  );
}
