import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AuthProviderFactory,
  AuthProviderRouteHandlers,
  AuthResolverContext,
  authProvidersExtensionPoint,
} from '@backstage/plugin-auth-node';
import express from 'express';
import { localAuthProviderModule } from './module';
import { signSessionToken } from './lib/sessionToken';

const sessionSecret = 'module-test-secret-0123456789';

function fakeBackstageToken(sub: string, ent: string[]) {
  const b64 = (v: object) =>
    Buffer.from(JSON.stringify(v)).toString('base64url');
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return `${b64({ alg: 'ES256' })}.${b64({ sub, ent, exp })}.sig`;
}

describe('localAuthProviderModule', () => {
  async function registeredProvider() {
    const registerProvider = jest.fn();
    await startTestBackend({
      extensionPoints: [[authProvidersExtensionPoint, { registerProvider }]],
      features: [
        localAuthProviderModule,
        mockServices.rootConfig.factory({
          data: { opsdeck: { localAuth: { sessionSecret } } },
        }),
      ],
    });
    expect(registerProvider).toHaveBeenCalledTimes(1);
    const { providerId, factory } = registerProvider.mock.calls[0][0] as {
      providerId: string;
      factory: AuthProviderFactory;
    };

    const signInWithCatalogUser = jest.fn(async () => ({
      token: fakeBackstageToken('user:default/alice', [
        'user:default/alice',
        'group:default/admins',
      ]),
    }));
    const resolverContext = {
      signInWithCatalogUser,
    } as unknown as AuthResolverContext;
    const handlers: AuthProviderRouteHandlers = factory({
      providerId,
      globalConfig: {
        baseUrl: 'http://localhost:7007/api/auth',
        appUrl: 'http://localhost:3000',
        isOriginAllowed: () => true,
      },
      config: new ConfigReader({}),
      logger: mockServices.logger.mock(),
      resolverContext,
      baseUrl: 'http://localhost:7007/api/auth',
      appUrl: 'http://localhost:3000',
      isOriginAllowed: () => true,
    } as Parameters<AuthProviderFactory>[0]);
    return { providerId, handlers, signInWithCatalogUser };
  }

  async function refresh(handlers: AuthProviderRouteHandlers, cookie?: string) {
    const req = {
      headers: cookie ? { cookie } : {},
      query: {},
    } as unknown as express.Request;
    const json = jest.fn();
    const res = {
      status: jest.fn(() => res),
      json,
    } as unknown as express.Response;
    await handlers.refresh!(req, res);
    return { res, json };
  }

  it('registers provider "opsdeck" and signs in the catalog user from a good cookie', async () => {
    const { providerId, handlers, signInWithCatalogUser } =
      await registeredProvider();
    expect(providerId).toBe('opsdeck');
    const token = signSessionToken('alice', Date.now() + 60_000, sessionSecret);

    const { res, json } = await refresh(
      handlers,
      `theme=dark; opsdeck_session=${token}`,
    );
    expect(res.status).toHaveBeenCalledWith(200);
    expect(signInWithCatalogUser).toHaveBeenCalledWith({
      entityRef: { name: 'alice' },
    });
    const body = json.mock.calls[0][0];
    expect(body.profile).toEqual({ displayName: 'alice' });
    expect(body.backstageIdentity.identity).toEqual({
      type: 'user',
      userEntityRef: 'user:default/alice',
      ownershipEntityRefs: ['user:default/alice', 'group:default/admins'],
    });
  });

  it.each([
    ['no cookie', undefined],
    ['a different cookie', 'theme=dark'],
    [
      'a tampered cookie',
      `opsdeck_session=${signSessionToken(
        'alice',
        Date.now() + 60_000,
        sessionSecret,
      ).replace('alice', 'admin')}`,
    ],
    [
      'a cookie signed with another secret',
      `opsdeck_session=${signSessionToken(
        'alice',
        Date.now() + 60_000,
        'some-other-secret-value',
      )}`,
    ],
    [
      'an expired cookie',
      `opsdeck_session=${signSessionToken(
        'alice',
        Date.now() - 1,
        sessionSecret,
      )}`,
    ],
  ])('rejects %s with AuthenticationError (401)', async (_, cookie) => {
    const { handlers, signInWithCatalogUser } = await registeredProvider();
    await expect(refresh(handlers, cookie)).rejects.toMatchObject({
      name: 'AuthenticationError',
    });
    expect(signInWithCatalogUser).not.toHaveBeenCalled();
  });

  it('refuses to start without a session secret', async () => {
    await expect(
      startTestBackend({
        extensionPoints: [
          [authProvidersExtensionPoint, { registerProvider: jest.fn() }],
        ],
        features: [
          localAuthProviderModule,
          mockServices.rootConfig.factory({ data: {} }),
        ],
      }),
    ).rejects.toThrow(/opsdeck\.localAuth\.sessionSecret is not set/);
  });
});
