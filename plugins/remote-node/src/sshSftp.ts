/** File transfer over SFTP sessions of the pool. */
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SFTPWrapper } from 'ssh2';
import { InputError } from '@backstage/errors';
import { OperationCancelledError, describeEndpoint } from './errors';
import { endpointOf, sftpError, type Ssh2Error } from './sshInternals';
import type { SshTarget, UploadOptions } from './types';

/** Opens an SFTP session (the pool's `openSftp`). */
export type OpenSftp = (
  target: SshTarget,
  options: { signal?: AbortSignal },
) => Promise<SFTPWrapper>;

/** Streams `source` into `remotePath` (created or overwritten). */
export async function uploadStream(
  openSftp: OpenSftp,
  target: SshTarget,
  source: Readable,
  remotePath: string,
  options: UploadOptions = {},
): Promise<{ bytes: number }> {
  const endpoint = endpointOf(target);
  const sftp = await openSftp(target, { signal: options.signal });
  try {
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        cb(null, chunk);
      },
    });
    const sink = sftp.createWriteStream(remotePath, {
      mode: options.mode ?? 0o644,
    });
    // The write stream emits 'finish' before its remote handle is closed; wait for 'close'.
    const closed = new Promise<void>((resolve, reject) => {
      sink.once('close', resolve);
      sink.once('error', reject);
    });
    try {
      await pipeline(source, counter, sink, { signal: options.signal });
      await closed;
    } catch (e) {
      closed.catch(() => {});
      if (options.signal?.aborted) {
        throw new OperationCancelledError(
          `Upload of ${remotePath} to ${describeEndpoint(
            endpoint,
          )} was cancelled`,
          endpoint,
        );
      }
      throw sftpError(e as Ssh2Error, endpoint, remotePath, 'write');
    }
    if (options.mode !== undefined) {
      await new Promise<void>((resolve, reject) =>
        sftp.chmod(remotePath, options.mode!, err =>
          err
            ? reject(sftpError(err, endpoint, remotePath, 'chmod'))
            : resolve(),
        ),
      );
    }
    return { bytes };
  } finally {
    sftp.end();
  }
}

/** A readable stream of `remotePath`; rejects with NotFoundError when it does not exist. */
export async function downloadStream(
  openSftp: OpenSftp,
  target: SshTarget,
  remotePath: string,
  options: { signal?: AbortSignal } = {},
): Promise<Readable> {
  const endpoint = endpointOf(target);
  const sftp = await openSftp(target, options);
  try {
    await new Promise<void>((resolve, reject) =>
      sftp.stat(remotePath, (err, stats) => {
        if (err) reject(sftpError(err, endpoint, remotePath, 'read'));
        else if (!stats.isFile()) {
          reject(
            new InputError(
              `${remotePath} on ${describeEndpoint(
                endpoint,
              )} is not a regular file`,
            ),
          );
        } else resolve();
      }),
    );
  } catch (e) {
    sftp.end();
    throw e;
  }
  const stream = sftp.createReadStream(remotePath);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    sftp.end();
  };
  stream.once('close', end);
  stream.once('error', end);
  return stream;
}
