// Shared setup of the vault router tests (router.*.test.ts): the secrets that must never
// leak, a test backend around vaultPlugin, a seeded credential and the route table.
import { auditorServiceFactory } from '@backstage/backend-defaults/auditor';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
  mockCredentials,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { Knex } from 'knex';
import { createHash, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { utils } from 'ssh2';
import request from 'supertest';
import { DatabaseVaultStore } from '../../database/DatabaseVaultStore';
import { readKeyring } from '../../lib/keyring';
import { vaultPlugin } from '../../plugin';
import { vaultStoreOn } from './vaultStoreOn';
import { capturingRootLogger, LogLines } from '../../testUtils/capture';
import { ed25519KeyPair } from '../../testUtils/ed25519KeyPair';
import { CredentialService } from '../CredentialService';

export const alice = mockCredentials.user.header('user:default/alice');
export const k1 = { id: 'k1', secret: randomBytes(32).toString('base64') };
export const k2 = { id: 'k2', secret: randomBytes(32).toString('hex') };

// The secrets of these tests; none may ever show up in a response or a log line.
export const password = `Pw-${randomBytes(12).toString('hex')}`;
export const password2 = `Pw2-${randomBytes(12).toString('hex')}`;
export const sshKey = ed25519KeyPair({ comment: 'deploy' });
export const sshKey2 = utils.generateKeyPairSync('ecdsa', { bits: 256 });

/** Distinctive pieces of secret material to look for in outputs. */
function secretPieces(): string[] {
  const keyLines = [sshKey.private, sshKey2.private].flatMap(k =>
    k.split('\n').filter(line => line.length >= 20 && !line.startsWith('---')),
  );
  return [password, password2, k1.secret, k2.secret, ...keyLines];
}

export function fingerprintOf(publicLine: string) {
  const blob = Buffer.from(publicLine.split(' ')[1], 'base64');
  return `SHA256:${createHash('sha256')
    .update(blob)
    .digest('base64')
    .replace(/=+$/, '')}`;
}

type Decide = (permissionName: string) => AuthorizeResult;

export const pwPolicy = { owner: 'dba', allowedUses: ['db-admin'] };
export const keyPolicy = { owner: 'ops', allowedUses: ['ssh-login'] };

/**
 * Call inside the test file's describe: a fresh SQLite database before each test
 * (`ctx.knex`), the log lines and response bodies it captured (`ctx.logLines`), and
 * after each test the check that none of them holds secret material or ciphertext.
 */
export function vaultRouterTest() {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  const ctx = {} as { knex: Knex; logLines: LogLines; bodies: string[] };

  beforeEach(async () => {
    ctx.knex = await databases.init('SQLITE_3');
    ctx.logLines = [];
    ctx.bodies = [];
  });

  afterEach(() => {
    // Nothing returned or logged in any test contains secret material or ciphertext.
    const outputs = [...ctx.bodies, ...ctx.logLines];
    const leaks = secretPieces().filter(piece =>
      outputs.some(output => output.includes(piece)),
    );
    const leakyBodies = ctx.bodies.filter(body =>
      /ciphertext|authTag|"iv"|privateKey|"secret"/.test(body),
    );
    if (leaks.length > 0 || leakyBodies.length > 0) {
      throw new Error(
        `Secret material leaked into ${leaks.length} output(s); ${leakyBodies.length} response(s) name secret fields`,
      );
    }
  });

  async function start(
    options: {
      decide?: Decide;
      keys?: Array<{ id: string; secret: string }>;
    } = {},
  ) {
    const decide = options.decide ?? (() => AuthorizeResult.ALLOW);
    const authorize = jest.fn(
      async (requests: Array<{ permission: { name: string } }>) =>
        requests.map(
          (r): PolicyDecision => ({ result: decide(r.permission.name) as any }),
        ),
    );
    const { server } = await startTestBackend({
      features: [
        vaultPlugin,
        mockServices.rootConfig.factory({
          data: { opsdeck: { vault: { keys: options.keys ?? [k1] } } },
        }),
        vaultStoreOn(ctx.knex),
        mockServices.permissions.mock({ authorize: authorize as any }).factory,
        capturingRootLogger(ctx.logLines),
        auditorServiceFactory,
        // The HTTP API is tested on its own; vaultService.test.ts covers the shared store.
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
    /** Sends a request and records its body for the leak check. */
    const call = async (test: request.Test) => {
      const res = await test;
      ctx.bodies.push(res.text ?? '');
      return res;
    };
    return { server: server as Server, authorize, call };
  }

  const routes = (name = 'web-prod') => [
    { method: 'get', path: '/credentials', manage: false },
    { method: 'get', path: `/credentials/${name}`, manage: false },
    {
      method: 'post',
      path: '/credentials',
      manage: true,
      body: {
        name: 'new-one',
        type: 'password',
        secret: password,
        ...pwPolicy,
      },
    },
    {
      method: 'put',
      path: `/credentials/${name}/policy`,
      manage: true,
      body: keyPolicy,
    },
    {
      method: 'put',
      path: `/credentials/${name}/secret`,
      manage: true,
      body: { secret: password2 },
    },
    {
      method: 'patch',
      path: `/credentials/${name}`,
      manage: true,
      body: { description: 'x' },
    },
    { method: 'delete', path: `/credentials/${name}`, manage: true },
    { method: 'post', path: '/rotate', manage: true },
  ];

  async function seed() {
    const store = await DatabaseVaultStore.create({
      database: mockServices.database({ knex: ctx.knex }),
    });
    const service = new CredentialService(
      store,
      readKeyring(
        mockServices.rootConfig({
          data: { opsdeck: { vault: { keys: [k1] } } },
        }),
      ),
    );
    await service.create(
      {
        name: 'web-prod',
        type: 'ssh-key',
        secret: sshKey.private,
        ...keyPolicy,
      },
      'user:default/alice',
    );
    return service;
  }

  return { ctx, start, routes, seed };
}
