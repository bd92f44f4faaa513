import {
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import StorageIcon from '@material-ui/icons/Storage';
import { registryImagePickerFormField } from './fields/extensions';
import { registryTranslationRef } from './translation/translation';

/** Route of the registry page. */
export const registryRouteRef = createRouteRef();

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
  extensions: [registryPage, registryImagePickerFormField],
});
