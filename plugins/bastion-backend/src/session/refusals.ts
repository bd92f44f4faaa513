import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  AuthenticationFailedError,
  HostKeyMismatchError,
  HostKeyPendingError,
  HostUnreachableError,
  RemoteNodeError,
} from '@opsdeck/plugin-remote-node';
import { ServiceUnavailableError } from '@backstage/errors';
import { coded } from '@opsdeck/plugin-opsdeck-node';
import type { BastionStore } from '../database/BastionStore';
import { matchingGrants } from '../grants/matchGrant';
import type { BastionHost } from './hosts';
import {
  SessionRefusedError,
  type OpenRequest,
  type SessionRefusalCode,
} from './model';

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

/** What the bastion says about a failure the SSH core reported. */
type SshRefusal = {
  code: SessionRefusalCode;
  /** Why, in the bastion's own words (after "Cannot … on <host>: "). */
  reason: string;
  details: Record<string, string>;
};

/**
 * The bastion's code, words and details for one of the SSH core's typed
 * connection errors (changed or unaccepted host key, unreachable host,
 * refused login); undefined for any other error. The words are the
 * bastion's own: the SSH core's errors carry ssh2's and Node's words as their
 * cause (`connect ECONNREFUSED …`), which the person is not shown.
 */
export function sshRefusal(
  host: string,
  loginUser: string,
  e: unknown,
): SshRefusal | undefined {
  const at =
    e instanceof RemoteNodeError && e.endpoint
      ? ` (${e.endpoint.host}:${e.endpoint.port})`
      : '';
  if (e instanceof HostKeyMismatchError) {
    return {
      code: 'bastion-host-key-changed',
      reason: `its host key has changed (pinned ${e.expectedFingerprint}, offered ${e.actualFingerprint}); an admin checks the key on the host page`,
      details: { host, offered: e.actualFingerprint },
    };
  }
  if (e instanceof HostKeyPendingError) {
    return {
      code: 'bastion-host-key-pending',
      reason: `its host key ${e.fingerprint} is not accepted yet; an admin accepts it on the host page`,
      details: { host, offered: e.fingerprint },
    };
  }
  if (e instanceof HostUnreachableError) {
    return {
      code: 'bastion-host-unreachable',
      reason: `the host cannot be reached over SSH${at}`,
      details: { host },
    };
  }
  if (e instanceof AuthenticationFailedError) {
    return {
      code: 'bastion-login-failed',
      reason: `the host refused the login ${loginUser}${at}`,
      details: { host, loginUser },
    };
  }
  return undefined;
}

/**
 * Why the shell on `host` could not be opened, by what the SSH core said
 * ({@link sshRefusal}); the full error goes to the log.
 */
export function connectRefusal(
  host: string,
  loginUser: string,
  e: unknown,
  logger?: LoggerService,
): SessionRefusedError {
  logger?.warn(`Bastion cannot open a shell on ${host}: ${e}`);
  const cannot = `Cannot open a shell on ${host}`;
  const ssh = sshRefusal(host, loginUser, e);
  if (ssh) {
    return new SessionRefusedError(
      ssh.code,
      `${cannot}: ${ssh.reason}`,
      ssh.details,
    );
  }
  // the bastion's own reasons (exec audit required and not set up) are said;
  // other SSH failures only by the log
  const own =
    e instanceof Error && !(e instanceof RemoteNodeError)
      ? `: ${e.message}`
      : '';
  return new SessionRefusedError('bastion-connect-failed', `${cannot}${own}`, {
    host,
  });
}

/**
 * A file transfer in a session that the SSH core refused to connect for
 * (e.g. a new connection beside the shell's met a changed host key): a 503
 * with the same code and details a terminal's refusal has
 * ({@link sshRefusal}), which keeps them outside development; any other
 * error as it is.
 */
export function transferFailure(
  host: string,
  loginUser: string,
  e: unknown,
): unknown {
  const ssh = sshRefusal(host, loginUser, e);
  if (!ssh) return e;
  return coded(
    new ServiceUnavailableError(
      `Cannot transfer the file on ${host}: ${ssh.reason}`,
    ),
    ssh.code,
    ssh.details,
  );
}

/**
 * Records a terminal that did not open as a failed `session-open` audit event
 * of the person who asked (`actor`), with the host, the refusal's code and
 * its details (login, offered fingerprint…; never a secret). Errors that are
 * no refusal are recorded with the code `internal`.
 */
export function auditRefusal(
  deps: { auditor?: AuditorService; logger: LoggerService },
  req: OpenRequest,
  e: unknown,
) {
  const { auditor, logger } = deps;
  if (!auditor) return;
  const refused = e instanceof SessionRefusedError ? e : undefined;
  auditor
    .createEvent({
      eventId: 'session-open',
      severityLevel: 'medium',
      meta: {
        actor: req.userRef,
        host: req.hostName,
        ...(req.loginUser ? { loginUser: req.loginUser } : {}),
        ...refused?.details,
        code: refused?.code ?? 'internal',
      },
    })
    .then(event =>
      event.fail({ error: e instanceof Error ? e : new Error(String(e)) }),
    )
    .catch(err => logger.warn(`Cannot audit session-open: ${err}`));
}
