/**
 * opsdeck monitoring frontend (new frontend system): the Monitoring tab on
 * host entity pages.
 *
 * @packageDocumentation
 */
export { monitoringPlugin as default } from './plugin';
export { monitoringTranslationRef } from './translation/translation';
export { MonitoringClient } from './api';
