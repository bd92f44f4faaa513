/**
 * The image registry backend plugin (/api/registry).
 *
 * @packageDocumentation
 */
export { registryPlugin as default } from './plugin';
export type { RunningDigests, StoredPlace } from './running/RunningDigests';
