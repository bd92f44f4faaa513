/**
 * opsdeck's bastion backend: web terminals, access grants, recordings, command audit and rules,
 * live sessions and TOTP step-up (`/api/bastion`).
 *
 * @packageDocumentation
 */
export { bastionPlugin as default } from './plugin';
export type { Grant, GrantSelector, NewGrant } from './database/BastionStore';
