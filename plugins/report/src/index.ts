/**
 * opsdeck's weekly tech report in the portal (new frontend system).
 *
 * @packageDocumentation
 */
export { reportPlugin as default } from './plugin';
export { reportTranslationRef } from './translation/translation';
