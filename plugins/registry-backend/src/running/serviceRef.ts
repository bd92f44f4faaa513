import {
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { InMemoryRunningDigests, RunningDigestsStore } from './RunningDigests';

/**
 * Where image digests run, for the registry plugin (see RunningDigests.ts).
 * The default is an in-memory store that reporters of the same backend fill.
 *
 * @public
 */
export const runningDigestsServiceRef = createServiceRef<RunningDigestsStore>({
  id: 'opsdeck.registry.running-digests',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {},
      factory: () => new InMemoryRunningDigests(),
    }),
});
