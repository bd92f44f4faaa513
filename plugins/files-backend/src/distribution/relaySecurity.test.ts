import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import {
  runToEnd,
  distributionTestEnv,
  setupDistribution,
  sha256,
} from '../__testUtils__/distributorSetup';

jest.setTimeout(120_000);

const env = distributionTestEnv(2, 'opsdeck-relay-security-');

afterEach(() => jest.restoreAllMocks());

/**
 * Every hop of the chain draws its port from Math.random: pinned here, so
 * that a stranger on the hosts' network knows it (as one scanning would).
 */
function pinRelayPort(): number {
  const r = 0.3 + Math.random() * 0.4;
  jest.spyOn(Math, 'random').mockReturnValue(r);
  return 40000 + Math.floor(r * 20000);
}

/** True when `received` holds any 32-byte piece of `data` (a leak of the bytes). */
function leaked(received: Buffer, data: Buffer): boolean {
  for (let i = 0; i + 32 <= data.length; i += 4096) {
    if (received.includes(data.subarray(i, i + 32))) return true;
  }
  return false;
}

describe('relay hops carry the bytes only to the intended peer', () => {
  it('a stranger listening on a hop’s port gets a TLS handshake, never the file', async () => {
    const data = randomBytes(2 * 1024 * 1024);
    const port = pinRelayPort();
    // The stranger takes the port before the hop can; it keeps what it gets
    // and hangs up two seconds after each connection.
    const received: Buffer[] = [];
    const rogue: Server = createServer((socket: Socket) => {
      socket.on('data', (c: Buffer) => received.push(c));
      socket.on('error', () => {});
      setTimeout(() => socket.destroy(), 2000);
    });
    await new Promise<void>(r => rogue.listen(port, '127.0.0.1', r));
    const setup = await setupDistribution(env, data, {
      strategy: 'relay',
      // the head's TLS connect keeps meeting the stranger: give up soon
      relayStallMs: 3000,
    });
    try {
      const done = await runToEnd(setup);
      expect(received.length).toBeGreaterThan(0); // it was reached
      expect(leaked(Buffer.concat(received), data)).toBe(false);
      // the hop that could not listen (and the head, held up by its
      // refused connects) were written directly
      expect(done.hosts.map(h => h.state)).toEqual(['verified', 'verified']);
      expect(done.hosts[1].attempts).toBe(2);
      expect(sha256(readFileSync(setup.target))).toBe(sha256(data));
    } finally {
      await setup.close();
      await new Promise(r => rogue.close(r));
    }
  });

  it('a stranger that connects to a hop first cannot feed it: the hop waits for its parent', async () => {
    const data = randomBytes(2 * 1024 * 1024);
    const port = pinRelayPort();
    const poison = Buffer.alloc(data.length, 'P');
    const fromHop: Buffer[] = [];
    let strangerDone!: () => void;
    const strangerFinished = new Promise<void>(r => (strangerDone = r));
    // The stranger connects as soon as the hop listens, sends its own bytes
    // and hangs up; the head (opsdeck's feed) is held back until then.
    const stranger = async () => {
      for (let i = 0; i < 3000; i++) {
        const socket = await new Promise<Socket | undefined>(resolve => {
          const s = connect(port, '127.0.0.1');
          s.once('connect', () => resolve(s));
          s.once('error', () => resolve(undefined));
        });
        if (socket) {
          socket.on('data', (c: Buffer) => fromHop.push(c));
          socket.on('error', () => {});
          socket.end(poison);
          await new Promise(r => socket.once('close', r));
          strangerDone();
          return;
        }
        await new Promise(r => setTimeout(r, 10));
      }
      strangerDone();
    };
    const setup = await setupDistribution(env, data, {
      strategy: 'relay',
      ssh: pool => ({
        execChecked: pool.execChecked.bind(pool),
        openSftp: pool.openSftp.bind(pool),
        exec: async (t, command, o) => {
          if (o?.stdin) {
            await strangerFinished;
            await new Promise(r => setTimeout(r, 300));
          }
          return pool.exec(t, command, o);
        },
      }),
    });
    try {
      const strangerRun = stranger();
      const done = await runToEnd(setup);
      await strangerRun;
      // both copies came down the chain (none needed a direct write)
      expect(done.hosts.map(h => [h.state, h.attempts])).toEqual([
        ['verified', 1],
        ['verified', 1],
      ]);
      expect(sha256(readFileSync(setup.target))).toBe(sha256(data));
      expect(leaked(Buffer.concat(fromHop), data)).toBe(false);
    } finally {
      await setup.close();
    }
  });

  it('gives up a chain whose next hop accepted and went silent, and writes the hosts directly', async () => {
    const data = randomBytes(1024 * 1024);
    const port = pinRelayPort();
    const sockets: Socket[] = [];
    const silent = createServer(socket => {
      sockets.push(socket);
      socket.on('error', () => {});
      socket.pause(); // never reads, never answers, never hangs up
    });
    await new Promise<void>(r => silent.listen(port, '127.0.0.1', r));
    const setup = await setupDistribution(env, data, {
      strategy: 'relay',
      relayStallMs: 2000,
    });
    try {
      const done = await runToEnd(setup);
      expect(done.hosts.map(h => h.state)).toEqual(['verified', 'verified']);
      expect(sha256(readFileSync(setup.target))).toBe(sha256(data));
    } finally {
      sockets.forEach(s => s.destroy());
      await setup.close();
      await new Promise(r => silent.close(r));
    }
  });
});
