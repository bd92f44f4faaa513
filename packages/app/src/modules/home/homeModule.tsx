import {
  createFrontendModule,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { Link } from '@backstage/core-components';
import { Typography } from '@material-ui/core';
import { appTranslationRef } from '../../translation/appTranslation';

const Welcome = () => {
  const { t } = useTranslationRef(appTranslationRef);
  return (
    <>
      <Typography paragraph>{t('home.welcomeBody')}</Typography>
      <Typography paragraph>
        <Link to="/catalog?filters[kind]=resource">
          {t('home.catalogLink')}
        </Link>
      </Typography>
      <Typography paragraph>
        <Link to="/audit">{t('home.auditLink')}</Link>
      </Typography>
    </>
  );
};

const welcomeWidget = HomePageWidgetBlueprint.make({
  name: 'getting-started',
  params: {
    name: 'GettingStarted',
    title: 'opsdeck',
    description: 'Where to start in opsdeck',
    components: async () => ({ Content: Welcome }),
  },
});

export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [welcomeWidget],
});
