import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';

/** Replaces the app's sign-in page with opsdeck's username/password page. */
export const opsdeckSignInPage = SignInPageBlueprint.make({
  params: {
    loader: async () =>
      import('./OpsdeckSignInPage').then(m => m.OpsdeckSignInPage),
  },
});

/** Add to createApp features: `features: [..., signInModule]`. */
export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [opsdeckSignInPage],
});
