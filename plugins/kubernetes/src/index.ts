/**
 * opsdeck's workload actions on the Kubernetes entity tab (new frontend
 * system module of Backstage's kubernetes plugin).
 *
 * @packageDocumentation
 */
export { kubernetesActionsModule as default } from './plugin';
export { kubernetesActionsTranslationRef } from './translation/translation';
