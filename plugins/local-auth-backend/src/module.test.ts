import { createServiceFactory } from '@backstage/backend-plugin-api';
import { startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AuthProviderFactory,
  AuthProviderRouteHandlers,
  AuthResolverContext,
  authProvidersExtensionPoint,
} from '@backstage/plugin-auth-node';
import { localAuthServiceRef } from '@opsdeck/plugin-local-auth-node';
import express from 'express';
import { localAuthProviderModule } from './module';

const token = 'A'.repeat(43);

describe('localAuthProviderModule', () => {
  async function registeredProvider() {
    const registerProvider = jest.fn();
    const localAuth = {
      verifyPassword: jest.fn(),
      lookupSession: jest.fn(async (t: string) =>
        t === token ? { id: 'session-1', account: 'alice' } : undefined,
      ),
      confirmSession: jest.fn(async () => true),
    };
    await startTestBackend({
      extensionPoints: [[authProvidersExtensionPoint, { registerProvider }]],
      features: [
        localAuthProviderModule,
        createServiceFactory({
          service: localAuthServiceRef,
          deps: {},
          factory: () => localAuth,
        }),
      ],
    });
    expect(registerProvider).toHaveBeenCalledTimes(1);
    const { providerId, factory } = registerProvider.mock.calls[0][0] as {
      providerId: string;
      factory: AuthProviderFactory;
    };
    const entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'alice', namespace: 'default' },
    };
    const issueToken = jest.fn(async (params: { claims: object }) => ({
      token: `header.${Buffer.from(JSON.stringify(params.claims)).toString(
        'base64url',
      )}.sig`,
    }));
    const resolverContext = {
      findCatalogUser: jest.fn(async () => ({ entity })),
      resolveOwnershipEntityRefs: jest.fn(async () => ({
        ownershipEntityRefs: ['user:default/alice', 'group:default/admins'],
      })),
      issueToken,
    } as unknown as AuthResolverContext;
    const handlers: AuthProviderRouteHandlers = factory({
      providerId,
      globalConfig: {
        baseUrl: 'http://localhost:7007/api/auth',
        appUrl: 'http://localhost:3000',
        isOriginAllowed: () => true,
      },
      config: new ConfigReader({}),
      resolverContext,
      baseUrl: 'http://localhost:7007/api/auth',
      appUrl: 'http://localhost:3000',
      isOriginAllowed: () => true,
    } as unknown as Parameters<AuthProviderFactory>[0]);
    return { providerId, handlers, localAuth, issueToken };
  }

  async function refresh(handlers: AuthProviderRouteHandlers, cookie?: string) {
    const req = {
      headers: cookie ? { cookie, 'user-agent': 'jest' } : {},
      query: {},
      ip: '10.0.0.5',
    } as unknown as express.Request;
    const json = jest.fn();
    const res = {
      status: jest.fn(() => res),
      json,
    } as unknown as express.Response;
    await handlers.refresh!(req, res);
    return { res, json };
  }

  it('registers provider "opsdeck": a live session mints a token carrying its id', async () => {
    const { providerId, handlers, localAuth, issueToken } =
      await registeredProvider();
    expect(providerId).toBe('opsdeck');
    const { res, json } = await refresh(
      handlers,
      `theme=dark; opsdeck_session=${token}`,
    );
    expect(res.status).toHaveBeenCalledWith(200);
    expect(localAuth.lookupSession).toHaveBeenCalledWith(token, {
      address: '10.0.0.5',
      userAgent: 'jest',
    });
    expect(localAuth.confirmSession).toHaveBeenCalledWith('session-1', [
      'user:default/alice',
      'group:default/admins',
    ]);
    expect(issueToken).toHaveBeenCalledWith({
      claims: {
        sub: 'user:default/alice',
        ent: ['user:default/alice', 'group:default/admins'],
        opsdeck_sid: 'session-1',
      },
    });
    const body = json.mock.calls[0][0];
    expect(body.profile).toEqual({ displayName: 'alice' });
    expect(body.backstageIdentity.identity).toMatchObject({
      type: 'user',
      userEntityRef: 'user:default/alice',
    });
  });

  it.each([
    ['no cookie', undefined],
    ['a different cookie', 'theme=dark'],
    ['an ended or unknown session', `opsdeck_session=${'B'.repeat(43)}`],
    ['the old signed cookie', 'opsdeck_session=alice.99999999999999.c2ln'],
  ])('rejects %s with AuthenticationError (401)', async (_, cookie) => {
    const { handlers, issueToken } = await registeredProvider();
    await expect(refresh(handlers, cookie)).rejects.toMatchObject({
      name: 'AuthenticationError',
    });
    expect(issueToken).not.toHaveBeenCalled();
  });

  it('mints no token when local-auth ends the session at the refresh (groups changed)', async () => {
    const { handlers, localAuth, issueToken } = await registeredProvider();
    localAuth.confirmSession.mockResolvedValue(false);
    await expect(
      refresh(handlers, `opsdeck_session=${token}`),
    ).rejects.toMatchObject({ name: 'AuthenticationError' });
    expect(issueToken).not.toHaveBeenCalled();
  });
});
