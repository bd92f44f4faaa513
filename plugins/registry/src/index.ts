/**
 * opsdeck's image registry browser in the portal (new frontend system).
 *
 * @packageDocumentation
 */
export { registryPlugin as default } from './plugin';
export { registryTranslationRef } from './translation/translation';
