/**
 * The opsdeck SQL frontend (new frontend system): the Databases page.
 *
 * @packageDocumentation
 */
export { sqlPlugin as default } from './plugin';
export { sqlTranslationRef } from './translation/translation';
export { SqlClient } from './api/SqlClient';
export type { ChangeSummary } from './api/SqlClient';
