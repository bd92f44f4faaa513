/**
 * The opsdeck Files frontend (new frontend system): upload, file library and
 * distribution to hosts.
 *
 * @packageDocumentation
 */
export { filesPlugin as default } from './plugin';
export { filesTranslationRef } from './translation/translation';
export { FilesClient } from './api/FilesClient';
export type * from './api/FilesClient';
