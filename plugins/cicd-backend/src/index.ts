/**
 * CI/CD backend plugin (/api/cicd): Jenkins builds on catalog entities and
 * the failure locator.
 *
 * @packageDocumentation
 */
export { cicdPlugin as default } from './plugin';
export { FailureLocator, validateCause } from './locator/locator';
export { BUILT_IN_CAUSES } from './locator/knowledgeBase';
