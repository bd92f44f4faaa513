import {
  AuthenticationFailedError,
  HostKeyMismatchError,
  HostKeyPendingError,
  HostUnreachableError,
} from '@opsdeck/plugin-remote-node';
import type { BastionStore } from '../database/BastionStore';
import { matchingGrants } from '../grants/matchGrant';
import type { BastionHost } from './hosts';
import { SessionRefusedError, type OpenRequest } from './model';

/**
 * Why no grant lets the person in: one that would have, unrevoked, ended
 * (`bastion-grant-expired`, with when), or none at all (`bastion-no-grant`).
 */
export async function noGrantRefusal(
  store: Pick<BastionStore, 'listGrants'>,
  req: OpenRequest,
  host: BastionHost,
): Promise<SessionRefusedError> {
  const who = `${req.userRef} ${
    req.loginUser ? `as ${req.loginUser} ` : ''
  }on ${host.name}`;
  const ended = matchingGrants(
    await store.listGrants(),
    { ownershipRefs: req.ownershipRefs },
    host,
    // every unrevoked grant that matches, whenever it ends
    Number.NEGATIVE_INFINITY,
    req.loginUser,
  )[0];
  if (ended) {
    return new SessionRefusedError(
      'bastion-grant-expired',
      `The access grant for ${who} ended at ${ended.expiresAt}`,
      { host: host.name, expiredAt: ended.expiresAt },
    );
  }
  return new SessionRefusedError(
    'bastion-no-grant',
    `No access grant lets ${who} open a session`,
    { host: host.name, loginUser: req.loginUser ?? '' },
  );
}

/** Why the shell on `host` could not be opened, by what the SSH core said. */
export function connectRefusal(
  host: string,
  loginUser: string,
  e: unknown,
): SessionRefusedError {
  const message = `Cannot open a shell on ${host}: ${
    e instanceof Error ? e.message : String(e)
  }`;
  if (e instanceof HostKeyMismatchError) {
    return new SessionRefusedError('bastion-host-key-changed', message, {
      host,
      offered: e.actualFingerprint,
    });
  }
  if (e instanceof HostKeyPendingError) {
    return new SessionRefusedError('bastion-host-key-pending', message, {
      host,
      offered: e.fingerprint,
    });
  }
  if (e instanceof HostUnreachableError) {
    return new SessionRefusedError('bastion-host-unreachable', message, {
      host,
    });
  }
  if (e instanceof AuthenticationFailedError) {
    return new SessionRefusedError('bastion-login-failed', message, {
      host,
      loginUser,
    });
  }
  return new SessionRefusedError('bastion-connect-failed', message, { host });
}
