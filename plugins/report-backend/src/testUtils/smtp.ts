import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A mail the test SMTP server accepted. */
export interface ReceivedMail {
  to: string[];
  from: string;
  raw: string;
}

/**
 * A real SMTP server (npm smtp-server) on a free loopback port that keeps
 * what it receives. `refuse` makes it reject recipients (a 550), as a real
 * server refuses an unknown mailbox.
 */
export async function startSmtpServer() {
  const received: ReceivedMail[] = [];
  const refuse = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (refuse.has(address.address)) {
        const error = new Error('No such mailbox') as Error & {
          responseCode: number;
        };
        error.responseCode = 550;
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', c => chunks.push(c));
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map(r => r.address),
          from: session.envelope.mailFrom
            ? session.envelope.mailFrom.address
            : '',
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    refuse,
    /** Mails received for one address. */
    to: (address: string) => received.filter(m => m.to.includes(address)),
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

export type TestSmtpServer = Awaited<ReturnType<typeof startSmtpServer>>;
