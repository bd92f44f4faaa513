/**
 * Test kit: Debian's docker-registry on loopback and OCI layouts pushed
 * with skopeo, for this plugin's tests and the browser tests.
 *
 * @packageDocumentation
 */
export {
  OciLayout,
  skopeoPush,
  startRegistry,
  type BuiltTag,
  type TestRegistry,
} from './registryServer';
