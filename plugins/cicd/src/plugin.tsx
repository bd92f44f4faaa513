import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { JENKINS_JOB_ANNOTATION } from '@opsdeck/plugin-cicd-common';
import { cicdTranslationRef } from './translation/translation';

/** True for entities that name Jenkins jobs (`jenkins.io/job-full-name`). */
export function hasJenkinsJobs(entity: Entity): boolean {
  return Boolean(entity.metadata.annotations?.[JENKINS_JOB_ANNOTATION]);
}

/** The CI/CD tab on the page of every entity that names Jenkins jobs. */
export const cicdEntityContent = EntityContentBlueprint.make({
  name: 'cicd',
  params: {
    path: '/ci-cd',
    title: cicdTranslationRef('tab.title'),
    filter: hasJenkinsJobs,
    loader: () =>
      import('./components/CicdContent').then(m => <m.CicdContent />),
  },
});

/**
 * opsdeck's CI/CD in the portal: a component's Jenkins builds and the located
 * cause of a failed build.
 *
 * @public
 */
export const cicdPlugin = createFrontendPlugin({
  pluginId: 'cicd',
  title: 'CI/CD',
  extensions: [cicdEntityContent],
});
