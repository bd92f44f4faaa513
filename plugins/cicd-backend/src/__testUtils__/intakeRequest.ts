import { signIntake } from '../intake/signature';

let counter = 0;

/** A fresh delivery id. */
export const deliveryId = () => `t-${Date.now()}-${++counter}`;

/** Intake headers signing `raw` (the exact bytes sent) with `secret` as `system`. */
export function signedHeaders(
  raw: Buffer | string,
  system: string,
  secret: string,
  options: { delivery?: string; timestamp?: number } = {},
): Record<string, string> {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const delivery = options.delivery ?? deliveryId();
  return {
    'content-type': 'application/json',
    'x-opsdeck-timestamp': timestamp,
    'x-opsdeck-delivery': delivery,
    'x-opsdeck-system': system,
    'x-opsdeck-signature-256': signIntake(secret, timestamp, delivery, raw),
  };
}
