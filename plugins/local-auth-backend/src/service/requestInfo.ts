import { AuditorService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { LOCAL_AUTH_SESSION_CLAIM } from '@opsdeck/plugin-local-auth-node';
import type { JsonObject } from '@backstage/types';
import type { Request } from 'express';
import { RequestInfo } from '../model';

/** The client's address (`req.ip`, which follows backend.trustProxy) and user agent. */
export function requestInfo(req: Request): RequestInfo {
  return {
    address: req.ip ?? req.socket.remoteAddress ?? undefined,
    userAgent: req.get('user-agent') ?? undefined,
  };
}

export const userRef = (name: string) =>
  stringifyEntityRef({ kind: 'user', namespace: 'default', name });

/**
 * The local-auth session id in the caller's Backstage token (claim `opsdeck_sid`). Read only
 * after httpAuth verified the token; undefined for tokens of other sign-in providers.
 */
export function sessionIdOfToken(req: Request): string | undefined {
  const match = /^Bearer\s+([^\s]+)$/i.exec(req.get('authorization') ?? '');
  const parts = match?.[1].split('.');
  if (!parts || parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
    const sid = payload?.[LOCAL_AUTH_SESSION_CLAIM];
    return typeof sid === 'string' ? sid : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `action` inside an audit event: success with its meta, or fail and rethrow. */
export async function audited<T>(
  auditor: AuditorService,
  req: Request,
  spec: {
    eventId: string;
    severityLevel: 'low' | 'medium' | 'high' | 'critical';
    meta: JsonObject;
  },
  action: () => Promise<T>,
  successMeta?: (result: T) => JsonObject,
): Promise<T> {
  const event = await auditor.createEvent({ ...spec, request: req });
  try {
    const result = await action();
    await event.success(
      successMeta ? { meta: successMeta(result) } : undefined,
    );
    return result;
  } catch (error) {
    await event.fail({ error: error as Error });
    throw error;
  }
}
