import {
  createFrontendModule,
  ErrorDisplay,
  NotFoundErrorPage,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import type { FrontendPlugin } from '@backstage/frontend-plugin-api';
import { SwappableComponentBlueprint } from '@backstage/plugin-app-react';
import { ErrorPanel, Link, useSupportConfig } from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import MuiLink from '@material-ui/core/Link';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useNavigate } from 'react-router-dom';
import { appTranslationRef } from '../../translation/appTranslation';

/**
 * The page for an unknown address. Backstage's own (core-components' ErrorPage)
 * writes "… or please contact support if you think this is a bug." as fixed
 * English; this one says all of it in the user's language.
 */
export function OpsdeckNotFoundPage() {
  const { t } = useTranslationRef(appTranslationRef);
  const navigate = useNavigate();
  const support = useSupportConfig();
  return (
    <Grid container style={{ padding: 64 }}>
      <Grid item xs={12} sm={8} md={6}>
        <Typography variant="body1" color="textSecondary" data-testid="error">
          {t('errors.notFoundStatus')}
        </Typography>
        <Typography variant="h2">{t('errors.notFoundTitle')}</Typography>
        <Typography variant="h6">
          <Link to="#" data-testid="go-back-link" onClick={() => navigate(-1)}>
            {t('errors.goBack')}
          </Link>
          {t('errors.orContact')}
          {/* a plain link: core-components' Link adds a hidden English
              "Opens in a new window" to every external address */}
          <MuiLink href={support.url} target="_blank" rel="noopener noreferrer">
            {t('errors.contactSupport')}
          </MuiLink>
          {t('errors.ifBug')}
        </Typography>
      </Grid>
    </Grid>
  );
}

/** What a plugin that failed to render shows, in the user's language. */
export function OpsdeckErrorDisplay(props: {
  plugin?: FrontendPlugin;
  error: Error;
  resetError: () => void;
}) {
  const { t } = useTranslationRef(appTranslationRef);
  return (
    <ErrorPanel
      title={t('errors.pluginFailed', { plugin: props.plugin?.pluginId ?? '' })}
      error={props.error}
      defaultExpanded
    >
      <Button variant="outlined" onClick={props.resetError}>
        {t('errors.retry')}
      </Button>
    </ErrorPanel>
  );
}

/** App module replacing Backstage's English-only error pages (same extension names). */
export const errorPagesModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    SwappableComponentBlueprint.make({
      name: 'core-not-found-error-page',
      params: define =>
        define({
          component: NotFoundErrorPage,
          loader: () => OpsdeckNotFoundPage,
        }),
    }),
    SwappableComponentBlueprint.make({
      name: 'core-error-display',
      params: define =>
        define({
          component: ErrorDisplay,
          loader: () => OpsdeckErrorDisplay,
        }),
    }),
  ],
});
