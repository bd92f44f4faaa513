import { Link, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  catalogApiRef,
  CATALOG_FILTER_EXISTS,
} from '@backstage/plugin-catalog-react';
import { Box, Typography } from '@material-ui/core';
import { entityCatalogPath } from '@opsdeck/plugin-opsdeck-common';
import {
  IMAGE_REPOSITORIES_ANNOTATION,
  namesImageRepository,
} from '@opsdeck/plugin-registry-common';
import useAsync from 'react-use/esm/useAsync';
import { RegistryErrorAlert } from './RegistryErrorAlert';
import { useT } from './useRegistry';

/**
 * The components whose IMAGE_REPOSITORIES_ANNOTATION names this repository
 * of this registry, read from the catalog with the person's credentials
 * (components they cannot see are not listed).
 */
export function RepositoryComponents(props: {
  registry: string;
  repository: string;
}) {
  const { registry, repository } = props;
  const t = useT();
  const catalogApi = useApi(catalogApiRef);
  const state = useAsync(async () => {
    // the catalog filters on the annotation's presence; its value is a list
    const { items } = await catalogApi.getEntities({
      filter: {
        kind: 'component',
        [`metadata.annotations.${IMAGE_REPOSITORIES_ANNOTATION}`]:
          CATALOG_FILTER_EXISTS,
      },
      fields: [
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'metadata.annotations',
      ],
    });
    return items
      .filter(e =>
        namesImageRepository(
          e.metadata.annotations?.[IMAGE_REPOSITORIES_ANNOTATION],
          registry,
          repository,
        ),
      )
      .map(e => ({
        namespace: e.metadata.namespace ?? 'default',
        name: e.metadata.name,
        title: e.metadata.title ?? e.metadata.name,
      }))
      .sort((a, b) => a.title.localeCompare(b.title));
  }, [catalogApi, registry, repository]);

  return (
    <Box my={2} data-testid="registry-repository-components">
      <Typography variant="subtitle1">
        {t('components.title', { repository })}
      </Typography>
      {state.loading && <Progress />}
      {state.error && <RegistryErrorAlert error={state.error} />}
      {state.value?.length === 0 && (
        <Typography color="textSecondary">
          {t('components.none', { annotation: IMAGE_REPOSITORIES_ANNOTATION })}
        </Typography>
      )}
      {state.value && state.value.length > 0 && (
        <Typography component="div">
          {state.value.map((c, i) => (
            <span key={`${c.namespace}/${c.name}`}>
              {i > 0 && ', '}
              <Link
                to={
                  entityCatalogPath({
                    kind: 'component',
                    namespace: c.namespace,
                    name: c.name,
                  })!
                }
              >
                {c.title}
              </Link>
            </span>
          ))}
        </Typography>
      )}
    </Box>
  );
}
