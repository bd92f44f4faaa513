import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import auditPlugin from '@opsdeck/plugin-audit';
import vaultPlugin from '@opsdeck/plugin-vault';
import cmdbPlugin from '@opsdeck/plugin-cmdb';
import { navModule } from './modules/nav';
import { homeModule } from './modules/home';
import { signInModule } from './modules/signin';

// Plugins listed in package.json are discovered (app.packages: all); these are
// the app's own modules and the catalog's new-frontend-system entry point.
export default createApp({
  features: [
    catalogPlugin,
    auditPlugin,
    cmdbPlugin,
    vaultPlugin,
    navModule,
    homeModule,
    signInModule,
  ],
});
