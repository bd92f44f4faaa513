import type {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  type BasicPermission,
} from '@backstage/plugin-permission-common';
import { sqlDataUnmaskPermission } from '@opsdeck/plugin-opsdeck-common';
import type { JsonObject } from '@backstage/types';
import type { Request } from 'express';
import type { Actor } from '../model';
import { StatementRefusedError } from './ConsoleService';

type AnyRequest = Request<any, any, any, any, any>;

/** Permission checks, the acting person and audit events, shared by the sql routes. */
export function routerSupport(options: {
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  auditor: AuditorService;
}) {
  const { httpAuth, userInfo, permissions, auditor } = options;

  async function allowed(
    permission: BasicPermission,
    credentials: BackstageCredentials,
  ) {
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    return decision.result === AuthorizeResult.ALLOW;
  }

  async function authorize(
    req: AnyRequest,
    permission: BasicPermission,
    what: string,
  ) {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    if (!(await allowed(permission, credentials))) {
      throw new NotAllowedError(`You are not allowed to ${what}`);
    }
    return credentials;
  }

  /** A signed-in user (changes and queries are always someone's). */
  async function actor(
    req: AnyRequest,
    permission: BasicPermission,
    what: string,
  ): Promise<Actor> {
    await authorize(req, permission, what);
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const info = await userInfo.getUserInfo(credentials);
    return {
      userRef: info.userEntityRef,
      ownership: info.ownershipEntityRefs.map(r => r.toLowerCase()),
      credentials,
      unmask: await allowed(sqlDataUnmaskPermission, credentials),
    };
  }

  /** Whether the caller (a user) may see masked data in clear. */
  async function unmask(credentials: BackstageCredentials) {
    if (!('userEntityRef' in (credentials.principal as object))) return false;
    return allowed(sqlDataUnmaskPermission, credentials);
  }

  /** Records a statement opsdeck refused: instance, person, statement, rule. */
  async function refused(
    req: AnyRequest,
    meta: {
      instanceRef: string;
      userRef?: string;
      statement: string;
      rules: string[];
      message: string;
    },
  ) {
    const event = await auditor.createEvent({
      eventId: 'sql-statement-refused',
      severityLevel: 'medium',
      request: req,
      meta: { ...meta, statement: meta.statement.slice(0, 2000) },
    });
    await event.success();
  }

  /** Runs `fn` inside an audit event that records success or failure. */
  async function audited<T>(
    req: AnyRequest,
    eventId: string,
    severityLevel: 'low' | 'medium' | 'high',
    meta: JsonObject,
    fn: () => Promise<T>,
    resultMeta?: (result: T) => JsonObject,
  ): Promise<T> {
    const event = await auditor.createEvent({
      eventId,
      severityLevel,
      request: req,
      meta,
    });
    try {
      const result = await fn();
      await event.success(
        resultMeta ? { meta: resultMeta(result) } : undefined,
      );
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      if (
        error instanceof StatementRefusedError &&
        typeof meta.instanceRef === 'string'
      ) {
        await refused(req, {
          instanceRef: meta.instanceRef,
          userRef: typeof meta.userRef === 'string' ? meta.userRef : undefined,
          statement: String(meta.statement ?? ''),
          rules: [error.rule],
          message: error.message,
        });
      }
      throw error;
    }
  }

  return { authorize, actor, unmask, audited, refused };
}
