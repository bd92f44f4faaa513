/**
 * Where image digests run: the service through which other plugins report
 * running digests to opsdeck's registry plugin, and the image reference
 * grammar they parse runtime image IDs with.
 *
 * @packageDocumentation
 */
export * from './model';
export { runningDigestsServiceRef } from './serviceRef';
export { RunningDigestsClient } from './RunningDigestsClient';
export { isDigest, parseImageId, parseImageName } from './imageRef';
