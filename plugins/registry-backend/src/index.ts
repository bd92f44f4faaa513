/**
 * The image registry backend plugin (/api/registry).
 *
 * @packageDocumentation
 */
export { registryPlugin as default } from './plugin';
export { runningDigestsServiceRef } from './running/serviceRef';
export { InMemoryRunningDigests } from './running/RunningDigests';
export type {
  RunningDigests,
  RunningDigestsStore,
} from './running/RunningDigests';
