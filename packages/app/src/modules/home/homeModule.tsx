import {
  createFrontendModule,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import {
  HomePageLayoutBlueprint,
  HomePageWidgetBlueprint,
} from '@backstage/plugin-home-react/alpha';
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

/** A workbench card: the content comes from ./cards, loaded on first use. */
const card = (
  id: string,
  name: string,
  title: string,
  load: () => Promise<() => JSX.Element>,
) =>
  HomePageWidgetBlueprint.make({
    name: id,
    params: {
      name,
      title,
      description: title,
      components: async () => ({ Content: await load() }),
    },
  });

const workbenchCards = [
  card(
    'workbench-approvals',
    'WorkbenchApprovals',
    'Waiting for my approval',
    () => import('./cards/Approvals').then(m => m.ApprovalsCard),
  ),
  card('workbench-access', 'WorkbenchAccess', 'My access', () =>
    import('./cards/Access').then(m => m.AccessCard),
  ),
  card(
    'workbench-jobs',
    'WorkbenchJobs',
    'Recent runs and failed schedules',
    () => import('./cards/Jobs').then(m => m.JobsCard),
  ),
  card('workbench-tickets', 'WorkbenchTickets', 'My open tickets', () =>
    import('./cards/Tickets').then(m => m.TicketsCard),
  ),
  card(
    'workbench-unreachable',
    'WorkbenchUnreachable',
    'Unreachable hosts',
    () => import('./cards/Unreachable').then(m => m.UnreachableCard),
  ),
  card('workbench-prod', 'WorkbenchProdChanges', 'Recent changes on prod', () =>
    import('./cards/ProdChanges').then(m => m.ProdChangesCard),
  ),
  card('workbench-alerts', 'WorkbenchAlerts', 'Firing alerts', () =>
    import('./cards/Alerts').then(m => m.AlertsCard),
  ),
];

/** The workbench layout: permission-filtered, translated customisable grid. */
const workbenchLayout = HomePageLayoutBlueprint.make({
  name: 'workbench',
  params: {
    loader: async () => (await import('./WorkbenchLayout')).WorkbenchLayout,
  },
});

export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [welcomeWidget, ...workbenchCards, workbenchLayout],
});
