import { NoSuchKey, type Part } from '@aws-sdk/client-s3';
import { NotFoundError } from '@backstage/errors';
import { S3Store } from '@tus/s3-store';
import type { Upload } from '@tus/server';
import type { ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { FileStorage } from './FileStorage';

export type S3StorageOptions = {
  /** e.g. `https://s3.eu-west-1.amazonaws.com` or a MinIO/Ceph URL; unset: AWS from `region`. */
  endpoint?: string;
  bucket: string;
  region: string;
  /** `bucket` in the path instead of the host name (needed by most self-hosted servers). */
  forcePathStyle: boolean;
  /** Unset: the AWS SDK's default credential chain (environment, instance role, ...). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Preferred multipart part size (at least 5 MiB, the S3 minimum). */
  partSizeBytes?: number;
  incompleteUploadExpiryMs: number;
};

const LEDGER = '.parts/';

/**
 * `@tus/s3-store` with one change: the parts of an unfinished upload are
 * recorded in a ledger of empty marker objects (`<id>.parts/<n>-<size>-<etag>`)
 * instead of being asked for with ListParts, and unfinished uploads are found
 * through their `.info` objects instead of ListMultipartUploads. Both S3 calls
 * are missing from some S3-compatible servers (s3rver, which the tests run
 * against, has neither, nor AbortMultipartUpload); the ledger works on all of
 * them, at the cost of one small PUT per part (parts are 5 MiB or more).
 */
export class LedgerS3Store extends S3Store {
  private ledgerKey(id: string, partNumber: number) {
    return `${id}${LEDGER}${String(partNumber).padStart(5, '0')}-`;
  }

  /** Every key under a prefix (paged). */
  async listKeys(prefix: string, suffix = ''): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.listObjectsV2({
        Bucket: this.bucket,
        Prefix: prefix,
        ContinuationToken: token,
      });
      for (const o of page.Contents ?? []) {
        if (o.Key?.endsWith(suffix)) keys.push(o.Key);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  async deleteKeys(keys: string[]) {
    for (let i = 0; i < keys.length; i += 1000) {
      await this.client.deleteObjects({
        Bucket: this.bucket,
        Delete: { Objects: keys.slice(i, i + 1000).map(Key => ({ Key })) },
      });
    }
  }

  override async create(upload: Upload): Promise<Upload> {
    const created = await super.create(upload);
    if (upload.size === 0) {
      // No part will ever arrive; the object must exist all the same.
      await this.client.putObject({
        Bucket: this.bucket,
        Key: upload.id,
        Body: '',
        ContentLength: 0,
      });
    }
    return created;
  }

  protected override async uploadPart(
    metadata: Parameters<S3Store['uploadPart']>[0],
    readStream: ReadStream | Readable,
    partNumber: number,
  ): Promise<string> {
    // The store always hands over a file stream of the part spooled to disk.
    const size = (await stat((readStream as ReadStream).path)).size;
    const etag = await super.uploadPart(metadata, readStream, partNumber);
    const id = metadata.file.id;
    // A part number uploaded again (after a failed request) replaces its entry.
    const stale = await this.listKeys(this.ledgerKey(id, partNumber));
    if (stale.length) await this.deleteKeys(stale);
    await this.client.putObject({
      Bucket: this.bucket,
      Key: `${this.ledgerKey(id, partNumber)}${size}-${encodeURIComponent(
        etag,
      )}`,
      Body: '',
      ContentLength: 0,
    });
    return etag;
  }

  /** The consecutive parts from 1, as recorded in the ledger. */
  protected override async retrieveParts(id: string): Promise<Part[]> {
    await this.getMetadata(id); // unknown uploads fail as before
    const prefix = `${id}${LEDGER}`;
    const byNumber = new Map<number, Part>();
    for (const key of await this.listKeys(prefix)) {
      const m = /^(\d+)-(\d+)-(.*)$/.exec(key.slice(prefix.length));
      if (!m) continue;
      byNumber.set(Number(m[1]), {
        PartNumber: Number(m[1]),
        Size: Number(m[2]),
        ETag: decodeURIComponent(m[3]),
      });
    }
    const parts: Part[] = [];
    for (let n = 1; byNumber.has(n); n++) parts.push(byNumber.get(n)!);
    return parts;
  }

  override async remove(id: string): Promise<void> {
    const uploadId = await this.getMetadata(id)
      .then(m => m['upload-id'])
      .catch(() => undefined);
    if (uploadId) {
      // Fails when the upload was completed, or where the server lacks the call.
      await this.client
        .abortMultipartUpload({
          Bucket: this.bucket,
          Key: id,
          UploadId: uploadId,
        })
        .catch(() => undefined);
    }
    const ledger = await this.listKeys(`${id}${LEDGER}`);
    await this.deleteKeys([
      id,
      this.infoKey(id),
      this.partKey(id, true),
      ...ledger,
    ]);
    await this.clearCache(id);
  }

  override async deleteExpired(): Promise<number> {
    const expiry = this.getExpiration();
    if (expiry === 0) return 0;
    let removed = 0;
    for (const info of await this.listKeys('', '.info')) {
      const id = info.slice(0, -'.info'.length);
      const { file } = await this.getMetadata(id);
      const created = Date.parse(file.creation_date ?? '');
      if (!(created + expiry < Date.now())) continue;
      const finished = await this.client
        .headObject({ Bucket: this.bucket, Key: id })
        .then(() => true)
        .catch(() => false);
      if (finished) continue;
      await this.remove(id);
      removed++;
    }
    return removed;
  }

  /** The finished object as a stream. */
  async openObject(key: string, start = 0): Promise<Readable> {
    try {
      const { Body } = await this.client.getObject({
        Bucket: this.bucket,
        Key: key,
        Range: start > 0 ? `bytes=${start}-` : undefined,
      });
      return Body as Readable;
    } catch (e) {
      if (e instanceof NoSuchKey) {
        throw new NotFoundError(`Stored object ${key} is missing`);
      }
      throw e;
    }
  }
}

/** Stored files as objects in an S3-compatible bucket (object key = upload id). */
export function createS3Storage(options: S3StorageOptions): FileStorage {
  const datastore = new LedgerS3Store({
    partSize: options.partSizeBytes,
    // Expiry is decided from the .info objects (deleteExpired), not from tags.
    useTags: false,
    expirationPeriodInMilliseconds: options.incompleteUploadExpiryMs,
    s3ClientConfig: {
      bucket: options.bucket,
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      credentials:
        options.accessKeyId && options.secretAccessKey
          ? {
              accessKeyId: options.accessKeyId,
              secretAccessKey: options.secretAccessKey,
            }
          : undefined,
      // Plain bodies: the SDK's default streaming checksums (aws-chunked
      // trailers) are not understood by many S3-compatible servers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    },
  });
  return {
    kind: 's3',
    datastore,
    open: (key, start) => datastore.openObject(key, start),
    async remove(key) {
      await datastore.remove(key);
    },
    removeExpired: () => datastore.deleteExpired(),
  };
}
