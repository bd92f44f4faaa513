/**
 * Where image digests run: the service through which other plugins report
 * running digests to opsdeck's registry plugin, the image reference
 * grammar they parse runtime image IDs with, and the resolver of an image
 * tag to its digest in a registry opsdeck knows.
 *
 * @packageDocumentation
 */
export * from './model';
export { runningDigestsServiceRef } from './serviceRef';
export { imageResolverServiceRef } from './imageResolverServiceRef';
export { RunningDigestsClient } from './RunningDigestsClient';
export { ImageResolverClient } from './ImageResolverClient';
export {
  isDigest,
  parseImageId,
  parseImageName,
  parseImageRef,
  pinnedImage,
  type ImageRef,
} from './imageRef';
