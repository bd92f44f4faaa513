import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthenticationError, NotAllowedError } from '@backstage/errors';
import type { Request } from 'express';

/** A JWT-shaped user token (the httpAuth mock below trusts it) with an optional session id. */
export function userToken(name: string, sessionId?: string) {
  const b64 = (v: object) =>
    Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${b64({ alg: 'none' })}.${b64({
    sub: `user:default/${name}`,
    ...(sessionId ? { opsdeck_sid: sessionId } : {}),
  })}.sig`;
}

/** `Authorization` header of a backend plugin's service token. */
export const serviceToken = (plugin: string) => `service:${plugin}`;

/**
 * httpAuth for router tests: `Bearer <userToken()>` is that user, `Bearer service:<id>` that
 * plugin (subject `plugin:<id>`), `Bearer external:<id>` an external static token; nothing is
 * anonymous. `allow` is enforced as the real service does.
 */
export function testHttpAuth() {
  return mockServices.httpAuth.mock({
    credentials: (async (req: Request, options?: { allow?: string[] }) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      let credentials;
      if (!token) {
        credentials = mockCredentials.none();
      } else if (token.startsWith('service:')) {
        credentials = mockCredentials.service(`plugin:${token.slice(8)}`);
      } else if (token.startsWith('external:')) {
        credentials = mockCredentials.service(token);
      } else {
        const payload = JSON.parse(
          Buffer.from(token.split('.')[1], 'base64url').toString(),
        );
        credentials = mockCredentials.user(payload.sub);
      }
      const type = credentials.principal.type;
      if (options?.allow && !options.allow.includes(type)) {
        if (type === 'none')
          throw new AuthenticationError('Missing credentials');
        throw new NotAllowedError(
          `This endpoint does not allow '${type}' credentials`,
        );
      }
      return credentials;
    }) as any,
  }).factory;
}
