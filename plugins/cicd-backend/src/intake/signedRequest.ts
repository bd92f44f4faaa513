import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  AuthenticationError,
  ConflictError,
  ServiceUnavailableError,
} from '@backstage/errors';
import type { Request } from 'express';
import type { GateSlot } from '../database/IntakeGate';
import { decodeBody, readRawBody } from './rawBody';
import {
  type IntakeHeaders,
  readIntakeHeaders,
  signatureMatches,
} from './signature';

/** Too many signature failures from this source: 429 with Retry-After. */
export class TooManyFailuresError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(
      `Too many requests with a wrong signature; retry after ${retryAfterSeconds} seconds`,
    );
    this.name = 'TooManyRequestsError';
  }
}

/** What the signed-request check needs (IntakeService provides it). */
export interface SignedRequestDeps {
  config: {
    systems: Map<string, unknown>;
    maxBodyBytes: number;
    toleranceSeconds: number;
  };
  /** Takes a slot in the failure gate (one atomic statement). */
  takeSlot(sources: string[], now: number): Promise<GateSlot>;
  /** Gives the slot back: the signature matched. */
  giveBack(slot: GateSlot): Promise<void>;
  /** The signing secret of one CI system, out of the vault. */
  secret(system: string): Promise<string>;
  /** The replay gate: true the first time a delivery id is seen. */
  claimDelivery(id: string, now: number): Promise<boolean>;
}

/** A request whose signature matched, with its decoded body. */
export interface VerifiedRequest<T> {
  /** The CI system whose secret verified the signature. */
  system: string;
  delivery: string;
  body: T;
}

/**
 * THE check of every signed intake route (builds, deployments), in order:
 *
 * 1. the intake headers (form, timestamp within the window) and the
 *    claimed system (`X-Opsdeck-System`, one of `intake.systems`) → 401,
 *    nothing asked of the vault;
 * 2. a declared length over the cap → 413; the exact raw bytes read with
 *    the cap → 413;
 * 3. the failure gate: one atomic upsert counts a slot for the client
 *    address and for the claimed system; over the limit → 429 with
 *    Retry-After, the vault not asked;
 * 4. the claimed system's secret out of the vault, and the HMAC over the
 *    raw bytes as received (still compressed) → 401 (the slot stays
 *    counted as a failure); a match gives the slot back;
 * 5. the delivery id, accepted once → 409;
 * 6. only now the body is decompressed with a cap on its decompressed
 *    size (413) and parsed (400); the system it names must be the system
 *    whose secret signed it → 401.
 */
export async function verifySignedRequest<T extends { system: string }>(
  req: Request,
  deps: SignedRequestDeps,
  parse: (body: Buffer) => T,
  options: { now: number; logger: LoggerService },
): Promise<VerifiedRequest<T>> {
  const { config } = deps;
  const { now, logger } = options;
  if (config.systems.size === 0) {
    throw new AuthenticationError('The intake is not configured');
  }
  const headers: IntakeHeaders = readIntakeHeaders(
    req.headers,
    now,
    config.toleranceSeconds,
  );
  const system = headers.system;
  if (!config.systems.has(system)) {
    throw new AuthenticationError(`The intake takes no posts from ${system}`);
  }
  const declared = Number(req.headers['content-length']);
  if (declared > config.maxBodyBytes) {
    req.resume();
    throw Object.assign(new Error('Body too large'), { status: 413 });
  }
  const raw = await readRawBody(req, config.maxBodyBytes);
  const slot = await deps.takeSlot(
    [
      `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`,
      `system:${system}`,
    ],
    now,
  );
  if (!slot.allowed) {
    throw new TooManyFailuresError(slot.retryAfterSeconds);
  }
  let secret: string;
  try {
    secret = await deps.secret(system);
  } catch (e) {
    logger.error(
      `CI/CD intake: the secret of ${system} is not available: ${e}`,
    );
    throw new ServiceUnavailableError('The intake secret is not available');
  }
  if (!signatureMatches(secret, headers, raw)) {
    throw new AuthenticationError('The signature does not match the body');
  }
  await deps.giveBack(slot);
  if (!(await deps.claimDelivery(headers.delivery, now))) {
    throw new ConflictError(`Delivery ${headers.delivery} was received before`);
  }
  const decoded = await decodeBody(
    raw,
    req.headers['content-encoding'] as string | undefined,
    config.maxBodyBytes,
  );
  const body = parse(decoded);
  if (body.system !== system) {
    throw new AuthenticationError(
      `The body names system ${body.system}, and the signature is ${system}'s`,
    );
  }
  return { system, delivery: headers.delivery, body };
}
