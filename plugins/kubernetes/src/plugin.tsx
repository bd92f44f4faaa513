import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';

/**
 * Backstage's Kubernetes tab (`entity-content:kubernetes/kubernetes`, same
 * path, title, group and filter), rendered with opsdeck's workload actions
 * above Backstage's content.
 */
export const kubernetesEntityContent = EntityContentBlueprint.make({
  name: 'kubernetes',
  params: {
    path: '/kubernetes',
    title: 'Kubernetes',
    group: 'deployment',
    filter: {
      $any: [
        {
          [`metadata.annotations.${KUBERNETES_ANNOTATION}`]: { $exists: true },
        },
        {
          [`metadata.annotations.${KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION}`]:
            { $exists: true },
        },
      ],
    },
    loader: () =>
      import('./components/KubernetesTab').then(m => <m.KubernetesTab />),
  },
});

/**
 * A module of Backstage's kubernetes frontend plugin: its entity tab with
 * opsdeck's workload actions (restart, scale, delete pod, prod approval
 * through tickets) and container log download.
 *
 * @public
 */
export const kubernetesActionsModule = createFrontendModule({
  pluginId: 'kubernetes',
  extensions: [kubernetesEntityContent],
});
