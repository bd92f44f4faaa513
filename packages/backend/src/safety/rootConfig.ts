import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { findPaths } from '@backstage/cli-common';
import { ConfigSources } from '@backstage/config-loader';
import { assertSafeForProduction } from './productionCheck';
import { readShippedConfig } from './shippedConfig';

/**
 * opsdeck's root config: Backstage's default config sources (the `--config` files, APP_CONFIG_*
 * variables), then the production check. Every plugin depends on the root config, so an unsafe
 * production configuration stops the backend before any plugin starts (nothing seeded, no
 * catalog read, no port opened).
 */
export const opsdeckRootConfigServiceFactory = createServiceFactory({
  service: coreServices.rootConfig,
  deps: {},
  async factory() {
    const source = ConfigSources.default({});
    // eslint-disable-next-line no-console
    console.log(`Loading config from ${source}`);
    const config = await ConfigSources.toConfig(source);
    // eslint-disable-next-line no-restricted-syntax
    const rootDir = findPaths(__dirname).targetRoot;
    assertSafeForProduction(config, readShippedConfig(rootDir), { rootDir });
    return config;
  },
});
