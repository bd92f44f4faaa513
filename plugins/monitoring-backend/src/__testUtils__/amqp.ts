import net from 'node:net';

/**
 * Just enough AMQP 0-9-1 (the wire protocol RabbitMQ speaks) for the queue
 * tests to be a real publisher and consumer over a real socket: PLAIN login,
 * one channel, queue.declare, basic.publish, basic.qos and basic.consume
 * without acks (its deliveries stay unacknowledged). No client library is a
 * dependency of opsdeck; the broker checks every frame, so a wrong one fails
 * the test (connection.close or channel.close rejects every wait).
 */

const FRAME_END = 0xce;
const METHOD = 1;
const HEADER = 2;
const BODY = 3;

const shortstr = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([b.length]), b]);
};
const longstr = (s: string | Buffer) => {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
};
const u8 = (n: number) => Buffer.from([n]);
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};
const EMPTY_TABLE = u32(0);

function frame(type: number, channel: number, payload: Buffer): Buffer {
  return Buffer.concat([
    u8(type),
    u16(channel),
    u32(payload.length),
    payload,
    u8(FRAME_END),
  ]);
}

const method = (classId: number, methodId: number, args: Buffer[]) =>
  Buffer.concat([u16(classId), u16(methodId), ...args]);

interface Waiter {
  classId: number;
  methodId: number;
  resolve(args: Buffer): void;
  reject(e: Error): void;
}

/** One AMQP connection with channel 1 open. */
export class AmqpConnection {
  private buffer = Buffer.alloc(0);
  private waiters: Waiter[] = [];
  private failure?: Error;

  private constructor(private readonly socket: net.Socket) {
    // no encoding is set on the socket: its data are Buffers
    socket.on('data', d => this.receive(d as Buffer));
    socket.on('error', e => this.fail(e));
    socket.on('close', () => this.fail(new Error('AMQP socket closed')));
  }

  /** Connects and logs in to `url` (amqp://user:pass@host:port, vhost /). */
  static async connect(url: string): Promise<AmqpConnection> {
    const u = new URL(url);
    const socket = net.connect(Number(u.port || 5672), u.hostname);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const c = new AmqpConnection(socket);
    const start = c.wait(10, 10); // connection.start
    socket.write(Buffer.from('AMQP\x00\x00\x09\x01', 'binary'));
    await start;
    const tune = c.wait(10, 30);
    const login = `\0${decodeURIComponent(u.username)}\0${decodeURIComponent(
      u.password,
    )}`;
    c.send(10, 11, [
      EMPTY_TABLE,
      shortstr('PLAIN'),
      longstr(login),
      shortstr('en_US'),
    ]); // connection.start-ok
    const t = await tune;
    c.send(10, 31, [u16(t.readUInt16BE(0)), u32(t.readUInt32BE(2)), u16(0)]);
    await c.call(10, 40, [shortstr('/'), shortstr(''), u8(0)], 41);
    await c.call(20, 10, [shortstr('')], 11); // channel.open
    return c;
  }

  /**
   * Declares a (non-durable) queue, `exclusive`: this connection's, deleted
   * when it closes; answers its message and consumer counts.
   */
  async declareQueue(
    queue: string,
    options: { passive?: boolean; exclusive?: boolean } = {},
  ): Promise<{ messages: number; consumers: number }> {
    const bits = (options.passive ? 1 : 0) | (options.exclusive ? 4 : 0);
    const args = await this.call(
      50,
      10,
      [u16(0), shortstr(queue), u8(bits), EMPTY_TABLE],
      11,
    );
    const nameLength = args[0];
    return {
      messages: args.readUInt32BE(1 + nameLength),
      consumers: args.readUInt32BE(5 + nameLength),
    };
  }

  /** Publishes one message to `queue` through the default exchange. */
  publish(queue: string, body: string) {
    const payload = Buffer.from(body, 'utf8');
    this.send(60, 40, [u16(0), shortstr(''), shortstr(queue), u8(0)]);
    this.socket.write(
      frame(
        HEADER,
        1,
        Buffer.concat([u16(60), u16(0), u64(payload.length), u16(0)]),
      ),
    );
    this.socket.write(frame(BODY, 1, payload));
  }

  /** Consumes `queue` with acks on and never acks: `prefetch` stay unacked. */
  async consume(queue: string, prefetch: number) {
    await this.call(60, 10, [u32(0), u16(prefetch), u8(0)], 11); // basic.qos
    await this.call(
      60,
      20,
      [u16(0), shortstr(queue), shortstr(''), u8(0), EMPTY_TABLE],
      21,
    );
  }

  async close() {
    if (this.failure) return;
    await this.call(
      10,
      50,
      [u16(200), shortstr('bye'), u16(0), u16(0)],
      51,
    ).catch(() => undefined);
    this.socket.destroy();
  }

  /** Sends a method: the connection's (class 10) on channel 0, others on 1. */
  private send(classId: number, methodId: number, args: Buffer[]) {
    const channel = classId === 10 ? 0 : 1;
    this.socket.write(frame(METHOD, channel, method(classId, methodId, args)));
  }

  private call(
    classId: number,
    methodId: number,
    args: Buffer[],
    okMethodId: number,
  ): Promise<Buffer> {
    const ok = this.wait(classId, okMethodId);
    this.send(classId, methodId, args);
    return ok;
  }

  private wait(classId: number, methodId: number): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) =>
      this.waiters.push({ classId, methodId, resolve, reject }),
    );
  }

  private fail(e: Error) {
    this.failure ??= e;
    for (const w of this.waiters.splice(0)) w.reject(this.failure);
  }

  private receive(data: Buffer) {
    this.buffer = Buffer.concat([this.buffer, data]);
    while (this.buffer.length >= 7) {
      const size = this.buffer.readUInt32BE(3);
      if (this.buffer.length < size + 8) return;
      const type = this.buffer[0];
      const payload = this.buffer.subarray(7, 7 + size);
      if (this.buffer[7 + size] !== FRAME_END) {
        this.fail(new Error('AMQP frame without its end octet'));
        return;
      }
      this.buffer = this.buffer.subarray(8 + size);
      if (type !== METHOD) continue; // deliveries' headers and bodies
      const classId = payload.readUInt16BE(0);
      const methodId = payload.readUInt16BE(2);
      const args = payload.subarray(4);
      const i = this.waiters.findIndex(
        w => w.classId === classId && w.methodId === methodId,
      );
      if (i >= 0) {
        this.waiters.splice(i, 1)[0].resolve(args);
      } else if (
        (classId === 10 && methodId === 50) ||
        (classId === 20 && methodId === 40)
      ) {
        // connection.close (10,50) or channel.close (20,40): the broker refused a frame
        const code = args.readUInt16BE(0);
        const text = args.subarray(3, 3 + args[2]).toString('utf8');
        this.fail(new Error(`AMQP ${classId}.${methodId} ${code}: ${text}`));
      }
    }
  }
}
