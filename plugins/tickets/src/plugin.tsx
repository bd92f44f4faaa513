import { lazy, Suspense } from 'react';
import {
  AppRootElementBlueprint,
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import AssignmentIcon from '@material-ui/icons/Assignment';
import {
  databasePickerFormField,
  hostPickerFormField,
} from './fields/extensions';
import { ticketsTranslationRef } from './translation/translation';

const LazyTaskTicketLink = lazy(() =>
  import('./components/TaskTicketLink').then(m => ({
    default: m.TaskTicketLink,
  })),
);

function TaskTicketLinkLoader() {
  return (
    <Suspense fallback={null}>
      <LazyTaskTicketLink />
    </Suspense>
  );
}

/** Route of the Tickets page; the sidebar lists only pages that have one. */
export const ticketsRouteRef = createRouteRef();

/** The Tickets page at /tickets (and /tickets/:id), with its sidebar item. */
export const ticketsPage = PageBlueprint.make({
  params: {
    path: '/tickets',
    routeRef: ticketsRouteRef,
    title: ticketsTranslationRef('page.title'),
    icon: <AssignmentIcon />,
    loader: () =>
      import('./components/TicketsPage').then(m => <m.TicketsPage />),
  },
});

/**
 * On a template's task page, a link to the ticket the task opened (the task
 * waits for approval, so its output links come only at the end).
 */
export const taskTicketLink = AppRootElementBlueprint.make({
  name: 'task-ticket-link',
  params: {
    element: <TaskTicketLinkLoader />,
  },
});

/**
 * opsdeck's tickets: my requests, waiting for me, all tickets, and the
 * ticket page with approve/reject, comments and history.
 *
 * @public
 */
export const ticketsPlugin = createFrontendPlugin({
  pluginId: 'tickets',
  title: 'Tickets',
  icon: <AssignmentIcon />,
  routes: { root: ticketsRouteRef },
  extensions: [
    ticketsPage,
    hostPickerFormField,
    databasePickerFormField,
    taskTicketLink,
  ],
});
