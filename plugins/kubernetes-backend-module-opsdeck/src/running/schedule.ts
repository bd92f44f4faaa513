import type {
  AuthService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { RunningDigestsService } from '@opsdeck/plugin-registry-node';
import type { VaultService } from '@opsdeck/plugin-vault-node';
import type { CatalogClusterSupplier } from '../clusters/CatalogClusterSupplier';
import { RunningPodsTask } from './RunningPodsTask';

/** Config key: seconds between two pod listings (default 300). */
export const POLL_SECONDS_KEY = 'opsdeck.kubernetes.runningImages.pollSeconds';

/**
 * Schedules {@link RunningPodsTask} through the scheduler: one replica at a
 * time (a global task), every `opsdeck.kubernetes.runningImages.pollSeconds`
 * (300 by default; the registry expires a report after 30 minutes).
 */
export async function scheduleRunningPods(deps: {
  config: RootConfigService;
  scheduler: SchedulerService;
  auth: AuthService;
  vault: Pick<VaultService, 'getSecret'>;
  running: RunningDigestsService;
  logger: LoggerService;
  clusters: Pick<CatalogClusterSupplier, 'getClusters'>;
}): Promise<void> {
  const seconds = deps.config.getOptionalNumber(POLL_SECONDS_KEY) ?? 300;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 1500) {
    throw new Error(
      `${POLL_SECONDS_KEY} must be a whole number from 1 to 1500`,
    );
  }
  const task = new RunningPodsTask(deps);
  await deps.scheduler.scheduleTask({
    id: 'opsdeck-kubernetes-running-images',
    scope: 'global',
    frequency: { seconds },
    timeout: { minutes: 5 },
    initialDelay: { seconds },
    fn: async () => {
      await task.run();
    },
  });
}
