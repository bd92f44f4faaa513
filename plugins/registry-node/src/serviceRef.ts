import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import type { RunningDigestsService } from './model';
import { RunningDigestsClient } from './RunningDigestsClient';

/**
 * Where image digests run, reported to the registry plugin, which keeps
 * them in its database (`registry_running_digests`) and refuses to delete a
 * tag whose digest runs. The default reports over HTTP as the calling
 * plugin ({@link RunningDigestsClient}).
 *
 * @public
 */
export const runningDigestsServiceRef = createServiceRef<RunningDigestsService>(
  {
    id: 'opsdeck.registry.running-digests',
    scope: 'plugin',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: {
          discovery: coreServices.discovery,
          auth: coreServices.auth,
        },
        factory: deps => new RunningDigestsClient(deps),
      }),
  },
);
