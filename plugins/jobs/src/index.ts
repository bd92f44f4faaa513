/**
 * The opsdeck Jobs page (new frontend system): saved scripts, runs on host
 * selections with live per-host output, schedules and run history.
 *
 * @packageDocumentation
 */
export { jobsPlugin as default } from './plugin';
export { jobsTranslationRef } from './translation/translation';
export { JobsClient } from './api';
export type { Run as JobRun, Schedule as JobSchedule } from './api';
