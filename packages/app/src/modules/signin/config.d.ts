/**
 * Frontend-visible part of the local-auth config, so the app bundle may read
 * opsdeck.localAuth.demoHint. The backend plugin's own schema
 * (plugins/local-auth-backend/config.d.ts) is not reachable from the app
 * package, so reference this file from packages/app/package.json:
 * "configSchema": "src/modules/signin/config.d.ts".
 */
export interface Config {
  opsdeck?: {
    localAuth?: {
      /**
       * Show the demo users and password on the sign-in page. Only for demos.
       * @visibility frontend
       */
      demoHint?: boolean;
    };
  };
}
