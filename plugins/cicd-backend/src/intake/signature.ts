import { AuthenticationError } from '@backstage/errors';
import { createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=<hex>`: HMAC-SHA256 of `<timestamp>.<delivery>.<raw body>`. */
export const SIGNATURE_HEADER = 'x-opsdeck-signature-256';
/** Unix seconds when the CI system sent the request. */
export const TIMESTAMP_HEADER = 'x-opsdeck-timestamp';
/** A unique id per delivery (a UUID, the CI job's id...): accepted once. */
export const DELIVERY_HEADER = 'x-opsdeck-delivery';
/** The CI system whose secret signed the request (one of `intake.systems`). */
export const SYSTEM_HEADER = 'x-opsdeck-system';

const DELIVERY = /^[A-Za-z0-9._:-]{8,128}$/;
const SIGNATURE = /^sha256=([0-9a-f]{64})$/;
const TIMESTAMP = /^[0-9]{9,12}$/;
const SYSTEM = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** The intake headers of a request, checked for form and freshness. */
export interface IntakeHeaders {
  timestamp: string;
  delivery: string;
  system: string;
  signature: Buffer;
}

/**
 * The signature a CI system sends: like GitHub's `X-Hub-Signature-256`
 * (`sha256=` and the hex HMAC-SHA256 of the raw body with the shared
 * secret), except that the timestamp and the delivery id are signed in front
 * of the body, so a captured request cannot be sent again under a fresh
 * timestamp or another delivery id.
 */
export function signIntake(
  secret: string,
  timestamp: string,
  delivery: string,
  body: Buffer | string,
): string {
  return `sha256=${createHmac('sha256', secret)
    .update(`${timestamp}.${delivery}.`)
    .update(body)
    .digest('hex')}`;
}

function header(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const v = headers[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Reads the intake headers before anything else of the request: each must
 * be there and well formed, and the timestamp within `toleranceSeconds` of
 * now; AuthenticationError (401) otherwise.
 */
export function readIntakeHeaders(
  headers: Record<string, string | string[] | undefined>,
  nowMs: number,
  toleranceSeconds: number,
): IntakeHeaders {
  const signature = SIGNATURE.exec(header(headers, SIGNATURE_HEADER) ?? '');
  const timestamp = header(headers, TIMESTAMP_HEADER) ?? '';
  const delivery = header(headers, DELIVERY_HEADER) ?? '';
  const system = header(headers, SYSTEM_HEADER) ?? '';
  if (
    !signature ||
    !TIMESTAMP.test(timestamp) ||
    !DELIVERY.test(delivery) ||
    !SYSTEM.test(system)
  ) {
    throw new AuthenticationError(
      `A signed intake request needs ${SIGNATURE_HEADER} (sha256=<hex>), ${TIMESTAMP_HEADER} (unix seconds), ${DELIVERY_HEADER} and ${SYSTEM_HEADER}`,
    );
  }
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds) {
    throw new AuthenticationError(
      `The ${TIMESTAMP_HEADER} is more than ${toleranceSeconds} seconds away from now`,
    );
  }
  return {
    timestamp,
    delivery,
    system,
    signature: Buffer.from(signature[1], 'hex'),
  };
}

/**
 * Whether the signature matches the body, the exact bytes received (before
 * any decompression), in constant time.
 */
export function signatureMatches(
  secret: string,
  headers: IntakeHeaders,
  body: Buffer,
): boolean {
  const expected = Buffer.from(
    signIntake(secret, headers.timestamp, headers.delivery, body).slice(7),
    'hex',
  );
  return (
    expected.length === headers.signature.length &&
    timingSafeEqual(expected, headers.signature)
  );
}
