import { AddressInfo, createServer, Socket } from 'node:net';
import { BSON, Document } from 'mongodb';

/**
 * A small MongoDB wire-protocol server for tests (no real MongoDB can run
 * here). It speaks what the official driver sends: the legacy OP_QUERY
 * handshake (answered with OP_REPLY, as servers do before OP_MSG is
 * negotiated), then OP_MSG for hello, buildInfo, find, aggregate, getMore,
 * killCursors, endSessions and ping. Replies have the documented shapes
 * (`{ cursor: { firstBatch, id, ns }, ok: 1 }` …). Collections are plain
 * arrays; `find` and `$match` support top-level equality only and `find`
 * exclusion projections, enough to see the driver send our filter. Every command except heartbeats is recorded.
 */
export interface MongoWireServer {
  port: number;
  commands: Document[];
  close(): Promise<void>;
}

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;

const HEARTBEATS = ['hello', 'ismaster', 'isMaster'];

function matches(doc: Document, filter: Document): boolean {
  return Object.entries(filter).every(([k, v]) => doc[k] === v);
}

function readCString(buf: Buffer, offset: number): [string, number] {
  const end = buf.indexOf(0, offset);
  return [buf.toString('utf8', offset, end), end + 1];
}

function header(
  length: number,
  requestId: number,
  responseTo: number,
  op: number,
) {
  const h = Buffer.alloc(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(requestId, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(op, 12);
  return h;
}

export async function startMongoWireServer(options: {
  /** `db.collection` → documents */
  collections: Record<string, Document[]>;
  /** Documents per batch, so the driver has to send getMore. */
  batchSize: number;
  version?: string;
}): Promise<MongoWireServer> {
  const commands: Document[] = [];
  const cursors = new Map<string, { ns: string; docs: Document[] }>();
  let nextCursor = 1000;
  let nextRequest = 1;
  const sockets = new Set<Socket>();

  const helloReply = () => ({
    helloOk: true,
    ismaster: true,
    isWritablePrimary: true,
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: 1,
    minWireVersion: 0,
    maxWireVersion: 21,
    readOnly: false,
    ok: 1,
  });

  /** A cursor reply: the first `batchSize` documents, the rest kept for getMore. */
  const batch = (ns: string, docs: Document[], field: string) => {
    const now = docs.slice(0, options.batchSize);
    const rest = docs.slice(options.batchSize);
    let id = BSON.Long.ZERO;
    if (rest.length > 0) {
      const n = nextCursor++;
      cursors.set(String(n), { ns, docs: rest });
      id = BSON.Long.fromNumber(n);
    }
    return { cursor: { [field]: now, id, ns }, ok: 1 };
  };

  function answer(cmd: Document): Document {
    const name = Object.keys(cmd)[0];
    if (HEARTBEATS.includes(name)) return helloReply();
    commands.push(cmd);
    const db = cmd.$db as string;
    switch (name) {
      case 'buildInfo':
      case 'buildinfo': {
        const version = options.version ?? '7.0.12';
        return {
          version,
          versionArray: [...version.split('.').map(Number), 0],
          ok: 1,
        };
      }
      case 'ping':
      case 'endSessions':
        return { ok: 1 };
      case 'find': {
        const ns = `${db}.${cmd.find}`;
        if (cmd.find === 'slow') {
          return {
            ok: 0,
            errmsg: 'operation exceeded time limit',
            code: 50,
            codeName: 'MaxTimeMSExpired',
          };
        }
        let docs = (options.collections[ns] ?? []).filter(d =>
          matches(d, cmd.filter ?? {}),
        );
        docs = docs.slice(Number(cmd.skip ?? 0));
        if (cmd.limit) docs = docs.slice(0, Number(cmd.limit));
        // exclusion projections only ({ field: 0 })
        const hidden = Object.keys(cmd.projection ?? {});
        docs = docs.map(d =>
          Object.fromEntries(
            Object.entries(d).filter(([k]) => !hidden.includes(k)),
          ),
        );
        return batch(ns, docs, 'firstBatch');
      }
      case 'aggregate': {
        const ns = `${db}.${cmd.aggregate}`;
        let docs = options.collections[ns] ?? [];
        for (const stage of cmd.pipeline as Document[]) {
          if (stage.$match) docs = docs.filter(d => matches(d, stage.$match));
          else if (stage.$limit) docs = docs.slice(0, Number(stage.$limit));
          else {
            return {
              ok: 0,
              errmsg: `stage ${
                Object.keys(stage)[0]
              } is not in the test server`,
              code: 40324,
              codeName: 'Location40324',
            };
          }
        }
        return batch(ns, docs, 'firstBatch');
      }
      case 'getMore': {
        const cursor = cursors.get(String(cmd.getMore));
        if (!cursor) {
          return { ok: 0, errmsg: 'cursor not found', code: 43 };
        }
        cursors.delete(String(cmd.getMore));
        const reply = batch(cursor.ns, cursor.docs, 'nextBatch');
        return reply;
      }
      case 'killCursors': {
        const ids = (cmd.cursors as unknown[]).map(String);
        ids.forEach(id => cursors.delete(id));
        return {
          cursorsKilled: cmd.cursors,
          cursorsNotFound: [],
          cursorsAlive: [],
          cursorsUnknown: [],
          ok: 1,
        };
      }
      default:
        return {
          ok: 0,
          errmsg: `no such command: '${name}'`,
          code: 59,
          codeName: 'CommandNotFound',
        };
    }
  }

  function handle(socket: Socket, msg: Buffer) {
    const requestId = msg.readInt32LE(4);
    const op = msg.readInt32LE(12);
    if (op === OP_QUERY) {
      // flags, full collection name, numberToSkip, numberToReturn, query
      const [, afterName] = readCString(msg, 20);
      const docStart = afterName + 8;
      const query = BSON.deserialize(
        msg.subarray(docStart, docStart + msg.readInt32LE(docStart)),
      );
      const reply = BSON.serialize(answer(query));
      const body = Buffer.alloc(20);
      body.writeInt32LE(0, 0); // responseFlags
      body.writeBigInt64LE(0n, 4); // cursorID
      body.writeInt32LE(0, 12); // startingFrom
      body.writeInt32LE(1, 16); // numberReturned
      const length = 16 + body.length + reply.length;
      socket.write(
        Buffer.concat([
          header(length, nextRequest++, requestId, OP_REPLY),
          body,
          reply,
        ]),
      );
      return;
    }
    if (op !== OP_MSG) {
      socket.destroy(new Error(`unexpected opCode ${op}`));
      return;
    }
    const flags = msg.readUInt32LE(16);
    const end = flags & 1 ? msg.length - 4 : msg.length; // checksumPresent
    let offset = 20;
    let command: Document = {};
    const sequences: Document = {};
    while (offset < end) {
      const kind = msg[offset++];
      const size = msg.readInt32LE(offset);
      if (kind === 0) {
        command = BSON.deserialize(msg.subarray(offset, offset + size));
      } else {
        const [id, docsAt] = readCString(msg, offset + 4);
        const docs: Document[] = [];
        for (let at = docsAt; at < offset + size; ) {
          const n = msg.readInt32LE(at);
          docs.push(BSON.deserialize(msg.subarray(at, at + n)));
          at += n;
        }
        sequences[id] = docs;
      }
      offset += size;
    }
    const reply = BSON.serialize(answer({ ...command, ...sequences }));
    const length = 16 + 4 + 1 + reply.length;
    const flagsAndKind = Buffer.alloc(5);
    socket.write(
      Buffer.concat([
        header(length, nextRequest++, requestId, OP_MSG),
        flagsAndKind,
        reply,
      ]),
    );
  }

  const server = createServer(socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
        const size = pending.readInt32LE(0);
        handle(socket, pending.subarray(0, size));
        pending = pending.subarray(size);
      }
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    commands,
    close: async () => {
      sockets.forEach(s => s.destroy());
      await new Promise<void>(resolve => server.close(() => resolve()));
    },
  };
}
