/**
 * opsdeck monitoring frontend (new frontend system): the Monitoring tab on
 * host, database, cache and service entity pages, and the /monitoring page.
 *
 * @packageDocumentation
 */
export { monitoringPlugin as default } from './plugin';
export { monitoringTranslationRef } from './translation/translation';
export { MonitoringClient } from './api';
