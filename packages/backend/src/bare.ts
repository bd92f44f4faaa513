/**
 * The same stock Backstage features as opsdeck, without opsdeck's plugins and with
 * Backstage's allow-all policy: the baseline that bench/ compares start-up against.
 */
import { createBackend } from '@backstage/backend-defaults';
import { stockFeatures } from './features';

const backend = createBackend();
for (const feature of stockFeatures) {
  backend.add(feature);
}
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(
  import('@backstage/plugin-permission-backend-module-allow-all-policy'),
);
backend.start();
