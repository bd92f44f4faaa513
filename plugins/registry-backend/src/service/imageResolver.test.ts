import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ImageResolverClient } from '@opsdeck/plugin-registry-node';
import type { AddressInfo } from 'node:net';
import {
  BuiltTag,
  OciLayout,
  skopeoPush,
  startRegistry,
  TestRegistry,
} from '../testUtils/registryServer';
import {
  registryResource,
  startRegistryBackend,
} from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

/**
 * registry-node's ImageResolverClient (what the Kubernetes module pins
 * deployed images with) against this plugin's routes and Debian's
 * docker-registry, on behalf of a person.
 */
describe('ImageResolverClient against the registry plugin and docker-registry', () => {
  let registry: TestRegistry;
  let layout: OciLayout;
  let backend: Awaited<ReturnType<typeof startRegistryBackend>>;
  let client: ImageResolverClient;
  let v1: BuiltTag;
  let debug: BuiltTag;

  beforeAll(async () => {
    registry = await startRegistry();
    layout = new OciLayout();
    v1 = layout.tag('v1', [
      layout.image({ architecture: 'amd64', created: '2026-01-01T00:00:00Z' }),
    ]);
    debug = layout.tag('debug', [
      layout.image({ architecture: 'amd64', created: '2026-02-01T00:00:00Z' }),
    ]);
    await skopeoPush(layout, 'v1', registry.host, 'shop/api');
    await skopeoPush(layout, 'debug', registry.host, 'shop/api');
    backend = await startRegistryBackend({
      entities: [registryResource('local', registry.url)],
      hidden: { frank: ['resource:default/local'] },
    });
    const { port } = backend.server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}/api`;
    client = new ImageResolverClient({
      discovery: {
        getBaseUrl: async (id: string) => `${base}/${id}`,
        getExternalBaseUrl: async (id: string) => `${base}/${id}`,
      },
      auth: mockServices.auth(),
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await registry?.stop();
    layout?.remove();
  });

  const as = (user: string) => ({
    credentials: mockCredentials.user(`user:default/${user}`),
  });

  it('resolves a tag to the digest the registry holds and pins it', async () => {
    const resolved = await client.resolve(
      `${registry.host}/shop/api:v1`,
      as('dave'),
    );
    expect(resolved).toEqual({
      registryRef: 'resource:default/local',
      registry: registry.host,
      repository: 'shop/api',
      tag: 'v1',
      digest: v1.digest,
      pinned: `${registry.host}/shop/api@${v1.digest}`,
    });
    // a digest it holds resolves to itself
    await expect(
      client.resolve(`${registry.host}/shop/api@${v1.digest}`, as('dave')),
    ).resolves.toMatchObject({ digest: v1.digest });
  });

  it('refuses what does not parse, unknown registries, unknown tags and people who may not read', async () => {
    await expect(
      client.resolve(`${registry.host}/shop/api`, as('dave')),
    ).rejects.toMatchObject({ name: 'InputError' });
    await expect(
      client.resolve('evil.example.net/shop/api:v1', as('dave')),
    ).rejects.toMatchObject({
      name: 'InputError',
      message:
        'evil.example.net is not a registry opsdeck knows (no registry resource you can see has that host)',
    });
    // frank cannot see the registry resource: for him it is not known
    await expect(
      client.resolve(`${registry.host}/shop/api:v1`, as('frank')),
    ).rejects.toMatchObject({ name: 'InputError' });
    await expect(
      client.resolve(`${registry.host}/shop/api:v9`, as('dave')),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(
      client.resolve(
        `${registry.host}/shop/api@sha256:${'0'.repeat(64)}`,
        as('dave'),
      ),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(
      client.resolve(`${registry.host}/shop/api:v1`, as('mallory')),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
  });

  it('refuses a tag written beside a digest it does not point at (the tag would be shown, the digest deployed)', async () => {
    // shop/api:v1@<debug digest>: a container runtime pulls the digest and
    // ignores the tag; an approver reading "v1" would approve the debug image
    await expect(
      client.resolve(
        `${registry.host}/shop/api:v1@${debug.digest}`,
        as('dave'),
      ),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(`shop/api:v1 is ${v1.digest}`),
    });
    await expect(
      client.resolve(`${registry.host}/shop/api:v1@${v1.digest}`, as('dave')),
    ).resolves.toMatchObject({ tag: 'v1', digest: v1.digest });
  });
});
