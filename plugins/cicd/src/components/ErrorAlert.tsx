import { ResponseError } from '@backstage/errors';
import { Alert } from '@material-ui/lab';
import { serverErrorMessage } from '@opsdeck/plugin-opsdeck-common';
import { useT } from './useCicd';

/** A load error in words: missing permission, or what went wrong. */
export function CicdErrorAlert({ error }: { error: Error }) {
  const t = useT();
  const status = error instanceof ResponseError ? error.statusCode : undefined;
  return (
    <Alert severity="error">
      {status === 403
        ? t('errors.forbidden')
        : t('errors.generic', { message: serverErrorMessage(error) })}
    </Alert>
  );
}
