import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  AuditorEvent,
  DefaultAuditorService,
} from '@backstage/backend-defaults/auditor';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  REGISTRY_CREDENTIAL_ANNOTATION,
  REGISTRY_URL_ANNOTATION,
} from '@opsdeck/plugin-registry-common';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import type { SecretUse, VaultSecret } from '@opsdeck/plugin-vault-node';
import type { Server } from 'node:http';
import { registryPlugin } from '../plugin';
import type { RunningImage } from '@opsdeck/plugin-registry-node';
import request from 'supertest';

/** Permissions of the test users (the role mapping is tested in the policy module). */
export const USERS: Record<string, string[]> = {
  alice: ['opsdeck.registry.read', 'opsdeck.registry.tag.delete'],
  bob: ['opsdeck.registry.read', 'opsdeck.registry.tag.delete'],
  dave: ['opsdeck.registry.read'],
  frank: ['opsdeck.registry.read', 'opsdeck.registry.tag.delete'],
  erin: ['opsdeck.registry.read'],
  mallory: [],
};

export const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);

export function registryResource(
  name: string,
  url: string,
  options: { credential?: string; type?: string } = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        [REGISTRY_URL_ANNOTATION]: url,
        ...(options.credential
          ? { [REGISTRY_CREDENTIAL_ANNOTATION]: options.credential }
          : {}),
      },
    },
    spec: { type: options.type ?? 'registry', owner: 'group:default/ops' },
  };
}

/** A cluster or host resource (where a digest runs). */
export function placeResource(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace: 'default' },
    spec: { type: 'kubernetes-cluster', owner: 'group:default/ops' },
  };
}

/** A plugin's own service token for the registry. */
export const asPlugin = (pluginId: string) =>
  mockCredentials.service.header({
    onBehalfOf: mockCredentials.service(`plugin:${pluginId}`),
    targetPluginId: 'registry',
  });

export async function startRegistryBackend(options: {
  entities: Entity[];
  secrets?: Record<string, VaultSecret>;
  /** Credentials the vault refuses to hand out for the registry use. */
  deniedSecrets?: string[];
  /** Entity refs each user cannot see in the catalog. */
  hidden?: Record<string, string[]>;
}): Promise<{
  server: Server;
  stop: () => Promise<void>;
  events: AuditorEvent[];
  vaultUses: { name: string; use: SecretUse }[];
  /** Reports as the plugin that owns the source kind (kubernetes, cmdb). */
  report: (source: string, images: RunningImage[]) => Promise<void>;
}> {
  const events: AuditorEvent[] = [];
  const vaultUses: { name: string; use: SecretUse }[] = [];
  const catalogFor = (credentials: any) => {
    const user = credentials?.principal?.userEntityRef?.split('/')[1];
    const hidden = new Set(options.hidden?.[user] ?? []);
    return catalogServiceMock({
      entities: options.entities.filter(
        e =>
          !hidden.has(
            `${e.kind.toLocaleLowerCase('en-US')}:${
              e.metadata.namespace ?? 'default'
            }/${e.metadata.name}`,
          ),
      ),
    });
  };
  const backend = await startTestBackend({
    features: [
      registryPlugin,
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.permissions.mock({
        authorize: async (requests: any[], { credentials }: any) =>
          requests.map(r => {
            const user = credentials.principal?.userEntityRef?.split('/')[1];
            const ok = USERS[user]?.includes(r.permission.name);
            return {
              result: ok ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
            } as PolicyDecision;
          }),
      } as any).factory,
      createServiceFactory({
        service: coreServices.auditor,
        deps: {
          auth: coreServices.auth,
          httpAuth: coreServices.httpAuth,
          plugin: coreServices.pluginMetadata,
        },
        factory: deps =>
          DefaultAuditorService.create(async event => {
            if (event.status !== 'initiated') events.push(event);
          }, deps),
      }),
      createServiceFactory({
        service: catalogServiceRef,
        deps: {},
        factory: () =>
          ({
            getEntities: (req: any, o: any) =>
              catalogFor(o.credentials).getEntities(req, o),
            getEntityByRef: (ref: any, o: any) =>
              catalogFor(o.credentials).getEntityByRef(ref, o),
            getEntitiesByRefs: (req: any, o: any) =>
              catalogFor(o.credentials).getEntitiesByRefs(req, o),
          } as any),
      }),
      createServiceFactory({
        service: vaultServiceRef,
        deps: {},
        factory: () => ({
          async getSecret(name: string, use: SecretUse) {
            vaultUses.push({ name, use });
            const secret = options.secrets?.[name];
            if (options.deniedSecrets?.includes(name)) {
              throw new NotAllowedError(
                `Vault credential '${name}' may not be used for ${use.use}`,
              );
            }
            if (!secret) {
              throw new NotFoundError(`No credential named '${name}'`);
            }
            return secret;
          },
        }),
      }),
    ],
  });
  return {
    server: backend.server,
    stop: () => backend.stop(),
    events,
    vaultUses,
    report: async (source, images) => {
      const res = await request(backend.server)
        .post('/api/registry/running/report')
        .set(
          'Authorization',
          asPlugin(source.startsWith('host:') ? 'cmdb' : 'kubernetes'),
        )
        .send({ source, images });
      if (res.status !== 204) {
        throw new Error(`report: ${res.status} ${JSON.stringify(res.body)}`);
      }
    },
  };
}
