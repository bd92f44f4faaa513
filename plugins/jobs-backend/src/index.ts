/**
 * opsdeck's jobs backend: script library, runs on catalog host selections
 * over SSH, cron schedules and run history at /api/jobs.
 *
 * @packageDocumentation
 */
export { jobsPlugin as default } from './plugin';
