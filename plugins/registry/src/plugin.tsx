import {
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { IMAGE_REPOSITORIES_ANNOTATION } from '@opsdeck/plugin-registry-common';
import StorageIcon from '@material-ui/icons/Storage';
import { registryImagePickerFormField } from './fields/extensions';
import { registryRouteRef } from './routes';
import { registryTranslationRef } from './translation/translation';

export { registryRouteRef };

/** The image registry browser at /registry. */
export const registryPage = PageBlueprint.make({
  params: {
    path: '/registry',
    routeRef: registryRouteRef,
    title: registryTranslationRef('page.title'),
    icon: <StorageIcon />,
    loader: () =>
      import('./components/RegistryPage').then(m => <m.RegistryPage />),
  },
});

/** True for a Component that names image repositories (any value: the card shows what is wrong with a bad one). */
export function namesImageRepositories(entity: Entity): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'component' &&
    entity.metadata.annotations?.[IMAGE_REPOSITORIES_ANNOTATION] !== undefined
  );
}

/** "Image repositories" card on the catalog page of such a component. */
export const imageRepositoriesCard = EntityCardBlueprint.make({
  name: 'image-repositories',
  params: {
    filter: namesImageRepositories,
    loader: () =>
      import('./components/ImageRepositoriesCard').then(m => (
        <m.ImageRepositoriesCard />
      )),
  },
});

/**
 * opsdeck's image registry browser (镜像仓库) in the portal.
 *
 * @public
 */
export const registryPlugin = createFrontendPlugin({
  pluginId: 'registry',
  title: 'Image registry',
  icon: <StorageIcon />,
  routes: { root: registryRouteRef },
  extensions: [
    registryPage,
    imageRepositoriesCard,
    registryImagePickerFormField,
  ],
});
