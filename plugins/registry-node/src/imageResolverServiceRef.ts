import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { ImageResolverClient } from './ImageResolverClient';
import type { ImageResolverService } from './model';

/**
 * Resolves an image reference to its digest in a registry opsdeck knows, on
 * behalf of a person (see {@link ImageResolverService}). The default asks the
 * registry plugin over HTTP ({@link ImageResolverClient}).
 *
 * @public
 */
export const imageResolverServiceRef = createServiceRef<ImageResolverService>({
  id: 'opsdeck.registry.image-resolver',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { discovery: coreServices.discovery, auth: coreServices.auth },
      factory: deps => new ImageResolverClient(deps),
    }),
});
