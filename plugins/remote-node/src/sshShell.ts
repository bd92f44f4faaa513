/** Interactive shells (pseudo-terminals) on pooled or dedicated connections. */
import type { Client, ClientChannel } from 'ssh2';
import { type Lease, releaseOnClose } from './sshInternals';
import type { PtyOptions, SshTarget } from './types';

/** Opens a shell channel on a pooled connection (the pool's `withChannel`). */
export type WithShellChannel = (
  target: SshTarget,
  signal: AbortSignal | undefined,
  open: (client: Client, cb: (err?: Error, ch?: ClientChannel) => void) => void,
) => Promise<{ lease: Lease; channel: ClientChannel }>;

/** Options of `SshConnectionPool.dedicatedShell`. */
export type DedicatedShellOptions = PtyOptions & {
  before?: (run: (command: string) => Promise<string>) => Promise<void>;
};

/** The pseudo-terminal both kinds of shell ask for. */
function ptyWindow(options: PtyOptions) {
  return {
    term: options.term ?? 'xterm-256color',
    cols: options.cols ?? 80,
    rows: options.rows ?? 24,
    width: 0,
    height: 0,
  };
}

/** The pool's `shell`: a login shell on a pooled connection. */
export async function shell(
  withChannel: WithShellChannel,
  target: SshTarget,
  options: PtyOptions,
): Promise<ClientChannel> {
  const { lease, channel } = await withChannel(
    target,
    options.signal,
    (client, cb) =>
      client.shell(
        ptyWindow(options),
        options.env ? { env: options.env } : {},
        (err, ch) => cb(err, ch),
      ),
  );
  releaseOnClose(lease, channel);
  return channel;
}

/** The pool's `dedicatedShell`, once `lease` holds a connection of its own. */
export async function dedicatedShell(
  lease: Lease,
  options: DedicatedShellOptions,
): Promise<ClientChannel> {
  // never handed to anyone else; destroyed when its last channel closes
  lease.connection.retired = true;
  const client = lease.connection.client;
  const run = (command: string) =>
    new Promise<string>((resolve, reject) => {
      client.exec(command, (err, ch) => {
        if (err) {
          reject(err);
          return;
        }
        let out = '';
        ch.on('data', (d: Buffer) => {
          out += d.toString('utf8');
        });
        ch.stderr.on('data', () => {});
        ch.once('close', () => resolve(out));
      });
    });
  try {
    await options.before?.(run);
    const channel = await new Promise<ClientChannel>((resolve, reject) =>
      client.shell(
        ptyWindow(options),
        options.env ? { env: options.env } : {},
        (err, ch) => (err ? reject(err) : resolve(ch)),
      ),
    );
    releaseOnClose(lease, channel);
    return channel;
  } catch (e) {
    lease.release();
    throw e;
  }
}
