import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import {
  CI_INTAKE_ANNOTATION,
  JENKINS_JOB_ANNOTATION,
} from '@opsdeck/plugin-cicd-common';
import { cicdTranslationRef } from './translation/translation';

/**
 * True for entities that name Jenkins jobs (`jenkins.io/job-full-name`) or
 * get builds from other CI systems (`opsdeck.io/ci-intake`).
 */
export function hasJenkinsJobs(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return Boolean(
    annotations[JENKINS_JOB_ANNOTATION] || annotations[CI_INTAKE_ANNOTATION],
  );
}

/** The CI/CD tab on the page of every entity with Jenkins jobs or intake builds. */
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
