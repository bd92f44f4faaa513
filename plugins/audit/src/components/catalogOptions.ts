import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import useAsync from 'react-use/esm/useAsync';

/** An entity as the filter pickers offer it. */
export interface EntityOption {
  ref: string;
  label: string;
  kind: string;
}

function toOption(entity: Entity): EntityOption {
  const title =
    (entity.spec as { profile?: { displayName?: string } })?.profile
      ?.displayName ??
    entity.metadata.title ??
    entity.metadata.name;
  return { ref: stringifyEntityRef(entity), label: title, kind: entity.kind };
}

/**
 * People (for the actor filter) and the things events are done to (for the
 * target filter), from the catalog: filters are picked, not typed. What the
 * caller may not read in the catalog is not offered.
 */
export function useCatalogOptions(): {
  users: EntityOption[];
  targets: EntityOption[];
} {
  const catalogApi = useApi(catalogApiRef);
  const { value } = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: [
        { kind: 'User' },
        { kind: 'Group' },
        { kind: 'Resource' },
        { kind: 'Component' },
        { kind: 'System' },
        { kind: 'Template' },
      ],
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'spec.profile.displayName',
      ],
    });
    const options = items
      .map(toOption)
      .sort((a, b) => a.ref.localeCompare(b.ref));
    return {
      users: options.filter(o => o.kind === 'User'),
      targets: options,
    };
  }, [catalogApi]);
  return value ?? { users: [], targets: [] };
}
