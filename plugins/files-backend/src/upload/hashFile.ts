import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

/** SHA-256 (hex) of a stream, read chunk by chunk (never held in memory). */
export async function sha256OfStream(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
