import { Permission } from '@backstage/plugin-permission-common';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { Alert, AlertTitle } from '@material-ui/lab';
import { opsdeckReactTranslationRef } from './translation';

/** Props of {@link NotAllowed}. */
export interface NotAllowedProps {
  /** The permission the user lacks (or its name, e.g. from a 403 body). */
  permission: Permission | string;
}

/**
 * The one "not allowed" notice of opsdeck's pages: shown instead of what a
 * user may not see or do (and for every 403 answer), naming the missing
 * permission so the user knows what to ask for.
 */
export function NotAllowed({ permission }: NotAllowedProps) {
  const { t } = useTranslationRef(opsdeckReactTranslationRef);
  const name = typeof permission === 'string' ? permission : permission.name;
  return (
    <Alert severity="warning" data-testid="opsdeck-not-allowed">
      <AlertTitle>{t('notAllowed.title')}</AlertTitle>
      {t('notAllowed.body', { permission: name })}
    </Alert>
  );
}

/** The reason shown beside (or as the tooltip of) a disabled action. */
export function useNotAllowedReason() {
  const { t } = useTranslationRef(opsdeckReactTranslationRef);
  return (permission: Permission | string) =>
    t('notAllowed.disabledReason', {
      permission: typeof permission === 'string' ? permission : permission.name,
    });
}
