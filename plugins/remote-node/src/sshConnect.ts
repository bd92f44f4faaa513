/** SSH handshake of one pooled connection: jump-host tunnels, host-key checks, error mapping. */
import type { Readable } from 'node:stream';
import type { ClientChannel, ConnectConfig } from 'ssh2';
import { InputError } from '@backstage/errors';
import {
  AuthenticationFailedError,
  HostKeyMismatchError,
  HostKeyPendingError,
  HostUnreachableError,
  SshProtocolError,
  describeEndpoint,
  type SshEndpoint,
} from './errors';
import { type HostKeyStore, hostKeyFingerprint, hostKeyId } from './hostKeys';
import {
  UNREACHABLE_CODES,
  type Connection,
  type Lease,
  type Ssh2Error,
} from './sshInternals';
import type { SshTarget } from './types';

/** What a handshake needs from its pool. */
export type HandshakeContext = {
  hostKeys: HostKeyStore;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  acquire(target: SshTarget): Promise<Lease>;
};

export async function handshake(
  ctx: HandshakeContext,
  target: SshTarget,
  conn: Connection,
): Promise<void> {
  const { endpoint, client } = conn;
  const hostId = hostKeyId(endpoint.host, endpoint.port);
  let sock: Readable | undefined;
  if (target.via) {
    const jumpLease = await ctx.acquire(target.via);
    conn.jumpLease = jumpLease;
    sock = await forwardOut(
      jumpLease.connection,
      endpoint,
      ctx.connectTimeoutMs,
    );
  }
  let mismatch: HostKeyMismatchError | HostKeyPendingError | undefined;
  let storeError: unknown;
  const c = target.credentials;
  // A key login may trust the first key a host presents: the host learns no secret. A
  // password login may not: the password would go to whoever answers at the address.
  const passwordOnly = !c.privateKey;
  const config: ConnectConfig = {
    host: endpoint.host,
    port: endpoint.port,
    username: c.username,
    privateKey: c.privateKey,
    passphrase: c.passphrase,
    password: c.password,
    sock,
    readyTimeout: ctx.connectTimeoutMs,
    keepaliveInterval: ctx.keepaliveIntervalMs,
    keepaliveCountMax: 3,
    hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
      const actual = hostKeyFingerprint(key);
      verifyHostKey(ctx.hostKeys, hostId, actual, passwordOnly).then(
        pinned => {
          if (pinned === undefined) {
            // recorded for an admin; the handshake ends before any authentication
            mismatch = new HostKeyPendingError(endpoint, hostId, actual);
            verify(false);
            return;
          }
          if (pinned !== actual) {
            mismatch = new HostKeyMismatchError(
              endpoint,
              hostId,
              pinned,
              actual,
            );
            verify(false);
          } else {
            verify(true);
          }
        },
        e => {
          storeError = e;
          verify(false);
        },
      );
    },
  };
  if (!c.privateKey && c.password === undefined) {
    throw new InputError(
      `No private key or password given for ${describeEndpoint(endpoint)}`,
    );
  }
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Ssh2Error) => {
      client.removeListener('ready', onReady);
      reject(
        mapConnectError(
          err,
          endpoint,
          target,
          mismatch,
          storeError,
          ctx.connectTimeoutMs,
        ),
      );
    };
    function onReady() {
      client.removeListener('error', onError);
      resolve();
    }
    client.once('error', onError);
    client.once('ready', onReady);
    // closed without an error event (the pool was closed while connecting)
    client.once('close', () =>
      reject(
        new HostUnreachableError(
          `Connection to ${describeEndpoint(
            endpoint,
          )} closed during the SSH handshake`,
          endpoint,
        ),
      ),
    );
    try {
      client.connect(config);
    } catch (e) {
      // ssh2 throws synchronously for an unusable private key (bad format or passphrase)
      client.removeListener('error', onError);
      client.removeListener('ready', onReady);
      reject(
        new AuthenticationFailedError(
          `Cannot use the private key for ${describeEndpoint(
            endpoint,
          )} (malformed, or wrong passphrase)`,
          endpoint,
        ),
      );
    }
  });
}

/**
 * The pinned fingerprint of the host after this connection's key was seen: a key login pins
 * the first key (trust on first use); a password login to a host with nothing pinned records
 * the key as pending and gets undefined.
 */
export async function verifyHostKey(
  hostKeys: HostKeyStore,
  hostId: string,
  actual: string,
  passwordOnly: boolean,
): Promise<string | undefined> {
  if (!passwordOnly) return hostKeys.pin(hostId, actual);
  const pinned = await hostKeys.get(hostId);
  if (pinned !== undefined) return pinned;
  await hostKeys.offer(hostId, actual);
  return undefined;
}

export function mapConnectError(
  err: Ssh2Error,
  endpoint: SshEndpoint,
  target: SshTarget,
  mismatch: HostKeyMismatchError | HostKeyPendingError | undefined,
  storeError: unknown,
  connectTimeoutMs: number,
): Error {
  const who = describeEndpoint(endpoint);
  const via = target.via ? ` via ${target.via.host}` : '';
  if (mismatch) return mismatch;
  if (storeError) {
    return new SshProtocolError(
      `Cannot check the host key of ${who}: the host key store failed`,
      endpoint,
      storeError,
    );
  }
  if (err.level === 'client-authentication') {
    return new AuthenticationFailedError(
      `Authentication failed for ${who}${via}: the server rejected the credential`,
      endpoint,
    );
  }
  if (err.level === 'client-timeout') {
    return new HostUnreachableError(
      `Host ${endpoint.host}:${endpoint.port}${via} unreachable: no SSH handshake within ${connectTimeoutMs} ms (user ${endpoint.username})`,
      endpoint,
    );
  }
  if (
    err.level === 'client-socket' ||
    err.level === 'client-dns' ||
    (typeof err.code === 'string' && UNREACHABLE_CODES.has(err.code))
  ) {
    return new HostUnreachableError(
      `Host ${endpoint.host}:${endpoint.port}${via} unreachable (user ${endpoint.username})`,
      endpoint,
      err,
    );
  }
  return new SshProtocolError(
    `SSH connection to ${who}${via} failed`,
    endpoint,
    err,
  );
}

/** Opens a direct-tcpip tunnel from the jump connection to the endpoint. */
export function forwardOut(
  jump: Connection,
  endpoint: SshEndpoint,
  connectTimeoutMs: number,
) {
  return new Promise<ClientChannel>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new HostUnreachableError(
          `Host ${endpoint.host}:${endpoint.port} unreachable via ${jump.endpoint.host}: no tunnel within ${connectTimeoutMs} ms`,
          endpoint,
        ),
      );
    }, connectTimeoutMs);
    const fail = (err: Ssh2Error) => {
      clearTimeout(timer);
      reject(
        new HostUnreachableError(
          `Host ${endpoint.host}:${endpoint.port} unreachable via ${jump.endpoint.host}`,
          endpoint,
          err,
        ),
      );
    };
    try {
      jump.client.forwardOut(
        '127.0.0.1',
        0,
        endpoint.host,
        endpoint.port,
        (err, stream) => {
          clearTimeout(timer);
          if (err) fail(err);
          else resolve(stream);
        },
      );
    } catch (e) {
      fail(e as Error);
    }
  });
}
