import {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  vaultServiceRef,
  type SecretUse,
  type VaultSecret,
} from '@opsdeck/plugin-vault-node';
import express from 'express';
import Router from 'express-promise-router';

/** A stored credential of the fake vault (secret in clear: tests only). */
export type FakeCredential = {
  name: string;
  type: 'password' | 'ssh-key';
  username?: string;
  description?: string;
  owner?: string;
  allowedUses?: string[];
  secret: string;
};

/**
 * The vault as the tickets plugin sees it, for tests: the HTTP routes the
 * fulfilment writes through (create, replace the secret, read metadata, with
 * a user or service token) and `vaultServiceRef`, every secret taken out
 * recorded with its use. The real vault is tested in plugins/vault-backend;
 * a backend plugin may not import another one.
 */
export function fakeVault() {
  const credentials = new Map<string, FakeCredential>();
  const reads: { name: string; use: SecretUse }[] = [];
  const plugin = createBackendPlugin({
    pluginId: 'vault',
    register(env) {
      env.registerInit({
        deps: {
          httpRouter: coreServices.httpRouter,
          httpAuth: coreServices.httpAuth,
        },
        async init({ httpRouter, httpAuth }) {
          const router = Router();
          router.use(express.json());
          router.use(async (req, _res, next) => {
            await httpAuth.credentials(req, { allow: ['user', 'service'] });
            next();
          });
          router.post('/credentials', async (req, res) => {
            const body = req.body as FakeCredential;
            if (credentials.has(body.name)) {
              res.status(409).json({ error: { name: 'ConflictError' } });
              return;
            }
            credentials.set(body.name, { ...body });
            res.status(201).json({ name: body.name });
          });
          router.put('/credentials/:name/secret', async (req, res) => {
            const c = credentials.get(req.params.name);
            if (!c) throw new NotFoundError(`No credential ${req.params.name}`);
            c.secret = req.body.secret;
            res.json({ name: c.name });
          });
          router.get('/credentials/:name', async (req, res) => {
            const c = credentials.get(req.params.name);
            if (!c) throw new NotFoundError(`No credential ${req.params.name}`);
            const { secret: _secret, ...metadata } = c;
            res.json(metadata);
          });
          httpRouter.use(router);
        },
      });
    },
  });
  const getSecret = async (
    name: string,
    use: SecretUse,
  ): Promise<VaultSecret> => {
    reads.push({ name, use });
    const c = credentials.get(name);
    if (!c) throw new NotFoundError(`No credential named '${name}'`);
    const username = c.username ? { username: c.username } : {};
    return c.type === 'password'
      ? { type: 'password', ...username, password: c.secret }
      : { type: 'ssh-key', ...username, privateKey: c.secret };
  };
  const factory = createServiceFactory({
    service: vaultServiceRef,
    deps: {},
    factory: () => ({ getSecret }),
  });
  return {
    plugin,
    factory,
    credentials,
    reads,
    getSecret,
    /** The stored password of a credential (undefined when there is none). */
    password(name: string): string | undefined {
      return credentials.get(name)?.secret;
    },
  };
}

export type FakeVault = ReturnType<typeof fakeVault>;
