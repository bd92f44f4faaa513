/**
 * The opsdeck Accounts page (new frontend system): local accounts, their lock
 * state and sessions, password reset, unlock and sign out everywhere.
 *
 * @packageDocumentation
 */
export { localAuthPlugin as default } from './plugin';
export { accountsTranslationRef } from './translation/translation';
