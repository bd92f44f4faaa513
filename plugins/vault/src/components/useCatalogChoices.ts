import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import useAsync from 'react-use/esm/useAsync';

/** A group or system the policy fields offer. */
export interface EntityChoice {
  /** Full lower-case entity ref, as the vault stores it. */
  ref: string;
  title: string;
}

/** Environments offered even when no catalog entity names them yet. */
const KNOWN_ENVIRONMENTS = ['prod', 'staging', 'test', 'dev'];

function choice(entity: Entity): EntityChoice {
  return {
    ref: stringifyEntityRef(entity).toLocaleLowerCase('en-US'),
    title: entity.metadata.title ?? entity.metadata.name,
  };
}

const byTitle = (a: EntityChoice, b: EntityChoice) =>
  a.title.localeCompare(b.title, 'en-US');

/**
 * The groups, systems and environments of the catalog, for the policy
 * fields: owners and systems are picked, never typed.
 */
export function useCatalogChoices(): {
  loading: boolean;
  error?: Error;
  groups: EntityChoice[];
  systems: EntityChoice[];
  environments: string[];
} {
  const catalogApi = useApi(catalogApiRef);
  const { loading, error, value } = useAsync(async () => {
    const fields = [
      'kind',
      'metadata.name',
      'metadata.namespace',
      'metadata.title',
    ];
    const [groups, systems, resources] = await Promise.all([
      catalogApi.getEntities({ filter: { kind: 'Group' }, fields }),
      catalogApi.getEntities({ filter: { kind: 'System' }, fields }),
      catalogApi.getEntities({
        filter: { kind: 'Resource' },
        fields: ['metadata.labels', 'spec.environment'],
      }),
    ]);
    const environments = new Set(KNOWN_ENVIRONMENTS);
    for (const r of resources.items) {
      // with `fields`, an entity that has none of them comes back as `{}`
      // (a registry or cluster without an environment): no metadata at all
      const env =
        (r.spec as { environment?: unknown } | undefined)?.environment ??
        r.metadata?.labels?.['opsdeck.io/environment'];
      if (typeof env === 'string' && env) environments.add(env);
    }
    return {
      groups: groups.items.map(choice).sort(byTitle),
      systems: systems.items.map(choice).sort(byTitle),
      environments: [...environments].sort(),
    };
  }, [catalogApi]);
  return {
    loading,
    error,
    groups: value?.groups ?? [],
    systems: value?.systems ?? [],
    environments: value?.environments ?? [],
  };
}
