import type {
  AuditorService,
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { sqlDataUnmaskPermission } from '@opsdeck/plugin-opsdeck-common';
import {
  audited as auditedEvent,
  type RequestGuard,
} from '@opsdeck/plugin-opsdeck-node';
import type { JsonObject } from '@backstage/types';
import type { Request } from 'express';
import type { Actor } from '../model';
import { StatementRefusedError } from './ConsoleService';

type AnyRequest = Request<any, any, any, any, any>;

/**
 * The acting person and audit events, shared by the sql routes. Permissions
 * are the request guard's (schema/access.ts), checked before validation.
 */
export function routerSupport(options: {
  guard: RequestGuard;
  userInfo: UserInfoService;
  auditor: AuditorService;
}) {
  const { guard, userInfo, auditor } = options;

  /** Whether the caller (a user) may see masked data in clear. */
  async function unmask(credentials: BackstageCredentials) {
    if (!('userEntityRef' in (credentials.principal as object))) return false;
    return guard.allowed(credentials, sqlDataUnmaskPermission);
  }

  /** A signed-in user (changes and queries are always someone's). */
  async function actor(req: AnyRequest): Promise<Actor> {
    const credentials = await guard.credentials(req, ['user']);
    const info = await userInfo.getUserInfo(credentials);
    return {
      userRef: info.userEntityRef,
      ownership: info.ownershipEntityRefs.map(r => r.toLowerCase()),
      credentials,
      unmask: await unmask(credentials),
    };
  }

  /** Records a statement opsdeck refused: instance, person, statement, rules. */
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
    await auditedEvent(
      auditor,
      {
        eventId: 'sql-statement-refused',
        severityLevel: 'medium',
        request: req,
        target: meta.instanceRef,
        meta: { ...meta, statement: meta.statement.slice(0, 2000) },
      },
      async () => undefined,
    );
  }

  /**
   * Runs `fn` inside an audit event that records success or failure; a
   * statement the console refused is also recorded as refused.
   */
  async function audited<T>(
    req: AnyRequest,
    eventId: string,
    severityLevel: 'low' | 'medium' | 'high',
    meta: JsonObject,
    fn: () => Promise<T>,
    resultMeta?: (result: T) => JsonObject,
  ): Promise<T> {
    const target = String(
      meta.changeId !== undefined
        ? `sql-change:${meta.changeId}`
        : meta.instanceRef,
    );
    try {
      return await auditedEvent(
        auditor,
        {
          eventId,
          severityLevel,
          request: req,
          target,
          meta,
          successMeta: resultMeta,
        },
        fn,
      );
    } catch (error) {
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

  return { actor, unmask, audited, refused };
}
