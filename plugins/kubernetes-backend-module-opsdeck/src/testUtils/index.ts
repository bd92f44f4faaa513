/**
 * Test kit: a fixture Kubernetes API server on loopback (see the README for
 * where its answers come from), for this module's tests and the browser tests.
 *
 * @packageDocumentation
 */
export { FixtureCluster, type RecordedRequest } from './FixtureCluster';
export {
  COMPONENT_ID,
  NAMESPACE,
  OTHER_COMPONENT_ID,
  type KubeObject,
} from './fixtureObjects';
export { runningPod } from './runningPods';
export type { RolloutMode } from './rolloutController';
