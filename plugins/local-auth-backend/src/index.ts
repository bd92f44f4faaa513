/**
 * opsdeck local accounts: password sign-in with lockout (plugin `local-auth`)
 * and the `opsdeck` auth provider that turns its session cookie into a
 * Backstage identity.
 *
 * @packageDocumentation
 */
export { localAuthPlugin as default } from './plugin';
export { localAuthProviderModule } from './module';
export type { OpsdeckSessionResult } from './module';
