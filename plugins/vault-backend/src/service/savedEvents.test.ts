/*
 * The vault tells other plugins (the CMDB collects the facts of the hosts
 * using a credential) when a secret was stored: after a create and a secret
 * replacement, naming the credential and the person, never the secret.
 */
import {
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  eventsServiceFactory,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import {
  VAULT_CREDENTIAL_SAVED_TOPIC,
  vaultServiceRef,
} from '@opsdeck/plugin-vault-node';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { vaultPlugin } from '../plugin';
import { vaultStoreOn } from './__testUtils__/vaultStoreOn';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const alice = mockCredentials.user.header('user:default/alice');
const key = { id: 'k1', secret: randomBytes(32).toString('base64') };
const secret = `Pw-${randomBytes(12).toString('hex')}`;
const secret2 = `Pw2-${randomBytes(12).toString('hex')}`;

async function start(
  knex: any,
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  const received: unknown[] = [];
  // another plugin of the same backend, listening as the CMDB does
  const listener = createBackendPlugin({
    pluginId: 'listener',
    register(env) {
      env.registerInit({
        deps: { events: eventsServiceRef },
        async init({ events }) {
          await events.subscribe({
            id: 'listener',
            topics: [VAULT_CREDENTIAL_SAVED_TOPIC],
            onEvent: async e => {
              received.push(e.eventPayload);
            },
          });
        },
      });
    },
  });
  const { server } = await startTestBackend({
    features: [
      vaultPlugin,
      listener,
      eventsServiceFactory,
      mockServices.rootConfig.factory({
        data: { opsdeck: { vault: { keys: [key] } } },
      }),
      vaultStoreOn(knex),
      mockServices.permissions.mock({
        authorize: (async (reqs: unknown[]) =>
          reqs.map(() => ({ result }))) as any,
      }).factory,
      createServiceFactory({
        service: vaultServiceRef,
        deps: {},
        factory: () => ({
          getSecret: async () => {
            throw new Error('not used');
          },
        }),
      }),
    ],
  });
  return { server, received };
}

describe.each(databases.eachSupportedId())(
  'credential-saved events (%s)',
  databaseId => {
    it('announces a created and a replaced secret, not other changes', async () => {
      const { server, received } = await start(
        await databases.init(databaseId),
      );
      const created = await request(server)
        .post('/api/vault/credentials')
        .set('Authorization', alice)
        .send({
          name: 'db-login',
          type: 'password',
          secret,
          owner: 'dba',
          allowedUses: ['db-admin'],
        });
      expect(created.status).toBe(201);
      expect(received).toEqual([
        { name: 'db-login', actor: 'user:default/alice' },
      ]);
      const patched = await request(server)
        .patch('/api/vault/credentials/db-login')
        .set('Authorization', alice)
        .send({ description: 'changed' });
      expect(patched.status).toBe(200);
      expect(received).toHaveLength(1);
      const replaced = await request(server)
        .put('/api/vault/credentials/db-login/secret')
        .set('Authorization', alice)
        .send({ secret: secret2 });
      expect(replaced.status).toBe(200);
      expect(received).toEqual([
        { name: 'db-login', actor: 'user:default/alice' },
        { name: 'db-login', actor: 'user:default/alice' },
      ]);
      expect(JSON.stringify(received)).not.toContain('Pw');
    });

    it('announces nothing when the save is refused', async () => {
      const { server, received } = await start(
        await databases.init(databaseId),
        AuthorizeResult.DENY,
      );
      const created = await request(server)
        .post('/api/vault/credentials')
        .set('Authorization', alice)
        .send({
          name: 'db-login',
          type: 'password',
          secret,
          owner: 'dba',
          allowedUses: ['db-admin'],
        });
      expect(created.status).toBe(403);
      expect(received).toEqual([]);
    });
  },
);
