/**
 * The opsdeck Credentials page (new frontend system): the vault's SSH keys
 * and passwords.
 *
 * @packageDocumentation
 */
export { vaultPlugin as default } from './plugin';
export { vaultTranslationRef } from './translation/translation';
