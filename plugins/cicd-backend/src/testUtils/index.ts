/**
 * Test kit of the CI/CD plugin: a fixture Jenkins speaking Jenkins' JSON API
 * (for integration and browser tests) and the demo jobs it serves.
 *
 * @packageDocumentation
 */
export { FixtureJenkins, corpusLog } from './FixtureJenkins';
export type {
  FixtureBuild,
  FixtureJob,
  FixtureRequest,
} from './FixtureJenkins';
export { demoJenkinsMain, demoJenkinsLegacy } from './demo';
export { parseTree, applyTree } from './tree';
