import {
  OciLayout,
  skopeoPush,
  startRegistry,
  TestRegistry,
} from '@opsdeck/plugin-registry-backend/testUtils';

/** The port of the demo registry demo-registry (examples/entities.yaml). */
export const DEMO_REGISTRY_PORT = 18391;

/**
 * Debian's docker-registry on the demo registry's port, with an OCI layout to
 * build tags in (`layout.tag(...)`) and push them with skopeo.
 */
export interface DemoRegistry {
  /** host:port, as image references name it. */
  host: string;
  layout: OciLayout;
  /** Pushes the layout's `tag` to `repository:tag`. */
  push(tag: string, repository: string): Promise<void>;
  /** Stops the registry and removes the layout. */
  stop(): Promise<void>;
}

export async function startDemoRegistry(): Promise<DemoRegistry> {
  const server: TestRegistry = await startRegistry({
    port: DEMO_REGISTRY_PORT,
  });
  const layout = new OciLayout();
  return {
    host: server.host,
    layout,
    push: (tag, repository) => skopeoPush(layout, tag, server.host, repository),
    stop: async () => {
      await server.stop();
      layout.remove();
    },
  };
}
