import type { AuthService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { hostFromEntity } from '@opsdeck/plugin-cmdb-common';
import type { HostDirectory } from './hosts';

/** Host entities from the catalog (`resource:default/<name>`), read as the bastion itself. */
export function createCatalogHostDirectory(options: {
  catalog: CatalogService;
  auth: AuthService;
}): HostDirectory {
  return {
    async getHost(name) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) return undefined;
      const entity = await options.catalog.getEntityByRef(
        { kind: 'resource', namespace: 'default', name },
        { credentials: await options.auth.getOwnServiceCredentials() },
      );
      return entity ? hostFromEntity(entity) : undefined;
    },
  };
}
