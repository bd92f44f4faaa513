import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import useAsync from 'react-use/esm/useAsync';

/** A catalog Resource as the pickers show it. */
export interface ResourceOption {
  ref: string;
  name: string;
  title: string;
  environment: string;
  system: string;
  engine: string;
  address: string;
}

function toOption(entity: Entity): ResourceOption {
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    ref: stringifyEntityRef(entity),
    name: entity.metadata.name,
    title: entity.metadata.title ?? entity.metadata.name,
    environment:
      text(spec.environment) ||
      text(entity.metadata.labels?.['opsdeck.io/environment']),
    system: text(spec.system),
    engine: text(spec.engine),
    address: text(spec.address),
  };
}

/** The catalog Resources of one `spec.type` (host, database), sorted by name. */
export function useCatalogResources(type: 'host' | 'database'): {
  loading: boolean;
  error?: Error;
  options: ResourceOption[];
} {
  const catalogApi = useApi(catalogApiRef);
  const { loading, error, value } = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: { kind: 'Resource', 'spec.type': type },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'metadata.labels',
        'spec',
      ],
    });
    return items
      .map(toOption)
      .sort((a, b) => a.name.localeCompare(b.name, 'en-US'));
  }, [catalogApi, type]);
  return { loading, error, options: value ?? [] };
}
