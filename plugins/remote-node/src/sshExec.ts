/** Drives exec channels: output capture, streaming callbacks, timeout/cancel signals. */
import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import { SshProtocolError, describeEndpoint } from './errors';
import {
  type ChannelObservations,
  type Lease,
  type OutputCapture,
  sendSignal,
} from './sshInternals';
import type { ExecOptions, ExecResult } from './types';

/**
 * Drives one exec channel to its end. The lease is released when the channel is really
 * closed (so channel accounting matches the server), which can be after the promise settles.
 */
export function runChannel(
  killGraceMs: number,
  channel: ClientChannel,
  lease: Lease,
  seen: ChannelObservations,
  options: ExecOptions,
  stdout: OutputCapture,
  stderr: OutputCapture,
  stop: AbortSignal,
  result: (code: number | null, signal: string | null) => ExecResult,
): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve, reject) => {
    let callbackError: unknown;
    let killTimer: NodeJS.Timeout | undefined;
    let giveUpTimer: NodeJS.Timeout | undefined;
    let finished = false;
    let lost = false;
    const outDecoder = new StringDecoder('utf8');
    const errDecoder = new StringDecoder('utf8');
    const client = lease.connection.client;
    const endpoint = lease.connection.endpoint;

    const emit = (cb: ((s: string) => void) | undefined, s: string) => {
      if (!cb || !s || callbackError) return;
      try {
        cb(s);
      } catch (e) {
        callbackError = e;
        stopCommand();
      }
    };

    function stopCommand() {
      if (finished || killTimer) return;
      sendSignal(channel, 'TERM');
      killTimer = setTimeout(() => {
        sendSignal(channel, 'KILL');
        try {
          channel.close();
        } catch {
          // already closed
        }
        // A server without signal support keeps the channel until the process exits:
        // stop waiting for it (the channel slot stays taken until it really closes).
        giveUpTimer = setTimeout(finish, killGraceMs);
      }, killGraceMs);
    }

    const cleanupAfterClose = () => {
      client.removeListener('close', onConnectionClose);
      lease.release();
    };

    function finish() {
      if (finished) return;
      finished = true;
      if (killTimer) clearTimeout(killTimer);
      if (giveUpTimer) clearTimeout(giveUpTimer);
      stop.removeEventListener('abort', stopCommand);
      emit(options.onStdout, outDecoder.end());
      emit(options.onStderr, errDecoder.end());
      if (callbackError) {
        reject(callbackError);
      } else if (
        lost &&
        seen.exitCode === null &&
        seen.exitSignal === null &&
        !stop.aborted
      ) {
        reject(
          new SshProtocolError(
            `Connection to ${describeEndpoint(
              endpoint,
            )} was lost while the command ran`,
            endpoint,
          ),
        );
      } else {
        resolve(result(seen.exitCode, seen.exitSignal));
      }
    }
    function onConnectionClose() {
      lost = true;
      finish();
      cleanupAfterClose();
    }

    channel.on('data', (d: Buffer) => {
      stdout.push(d);
      emit(options.onStdout, outDecoder.write(d));
    });
    channel.stderr.on('data', (d: Buffer) => {
      stderr.push(d);
      emit(options.onStderr, errDecoder.write(d));
    });
    channel.on('error', () => {}); // followed by close
    const onClose = () => {
      // 'close' can come before the last buffered 'data' events were delivered
      setImmediate(() => {
        finish();
        cleanupAfterClose();
      });
    };
    if (seen.closed) onClose();
    else seen.onClose = onClose;
    client.once('close', onConnectionClose);

    if (stop.aborted) stopCommand();
    else stop.addEventListener('abort', stopCommand);

    const { stdin } = options;
    if (stdin === undefined) {
      channel.end();
    } else if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) {
      channel.end(stdin);
    } else {
      stdin.on('error', () => channel.end());
      stdin.pipe(channel);
    }
  });
}
