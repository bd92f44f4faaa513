/**
 * opsdeck's CI/CD tab on entity pages (new frontend system).
 *
 * @packageDocumentation
 */
export { cicdPlugin as default, hasJenkinsJobs } from './plugin';
export { cicdTranslationRef } from './translation/translation';
