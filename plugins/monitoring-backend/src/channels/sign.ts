import { createHmac } from 'node:crypto';

/**
 * DingTalk robot signature: base64 HMAC-SHA256 of "timestamp\nsecret" keyed
 * with the secret, URL-encoded as the `sign` query parameter.
 */
export function dingtalkSign(timestampMs: number, secret: string): string {
  return createHmac('sha256', secret)
    .update(`${timestampMs}\n${secret}`)
    .digest('base64');
}

/**
 * Feishu robot signature: base64 HMAC-SHA256 of the empty string keyed with
 * "timestamp\nsecret" (timestamp in seconds), sent in the body.
 */
export function feishuSign(timestampSeconds: number, secret: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`)
    .update('')
    .digest('base64');
}

/** Generic webhook signature: `sha256=` hex HMAC-SHA256 of the body. */
export function webhookSign(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
