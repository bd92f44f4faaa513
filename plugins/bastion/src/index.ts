/**
 * The opsdeck bastion frontend (new frontend system): terminals, replay, grants, rules, MFA.
 *
 * @packageDocumentation
 */
export { bastionPlugin as default } from './plugin';
export { bastionTranslationRef } from './translation/translation';
export { BastionClient } from './api/BastionClient';
export type { Asset, Grant, Session, CommandRecord } from './api/BastionClient';
