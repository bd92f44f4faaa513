/**
 * opsdeck's configuration management in the portal (new frontend system).
 *
 * @packageDocumentation
 */
export { configPlugin as default } from './plugin';
export { configTranslationRef } from './translation/translation';
