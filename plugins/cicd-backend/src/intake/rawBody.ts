import { InputError } from '@backstage/errors';
import type { Request } from 'express';
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/** A refusal with an HTTP status (413 too large, 415 unknown encoding). */
export class BodyError extends Error {
  constructor(message: string, readonly status: 413 | 415) {
    super(message);
    this.name =
      status === 413 ? 'PayloadTooLargeError' : 'UnsupportedMediaTypeError';
  }
}

/**
 * Reads the request body as the exact bytes received (still compressed when
 * it was sent with a Content-Encoding), at most `maxBytes`: over that the
 * rest is drained unread and 413 is thrown once the request ended.
 */
export function readRawBody(req: Request, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    let ended = false;
    req.on('error', reject);
    // a client that goes away mid-body: nothing to wait for
    req.on('close', () => {
      if (!ended) reject(new Error('The request was aborted'));
    });
    req.on('end', () => {
      ended = true;
      if (over) {
        reject(new BodyError(`The body is larger than ${maxBytes} bytes`, 413));
      } else {
        resolve(Buffer.concat(chunks, size));
      }
    });
  });
}

/**
 * Decodes a body whose signature was checked over its raw bytes:
 * `Content-Encoding` identity, gzip or deflate (415 for any other), the
 * decompressed size capped at `maxBytes` (413: a small gzip can expand
 * into gigabytes).
 */
export async function decodeBody(
  raw: Buffer,
  contentEncoding: string | undefined,
  maxBytes: number,
): Promise<Buffer> {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw;
  if (encoding !== 'gzip' && encoding !== 'deflate') {
    throw new BodyError(`Content-Encoding ${encoding} is not supported`, 415);
  }
  try {
    const options = { maxOutputLength: maxBytes };
    return encoding === 'gzip'
      ? await gunzipAsync(raw, options)
      : await inflateAsync(raw, options);
  } catch (e: any) {
    if (e?.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new BodyError(
        `The decompressed body is larger than ${maxBytes} bytes`,
        413,
      );
    }
    throw new InputError(`The body is not valid ${encoding}`);
  }
}
