import { InputError } from '@backstage/errors';
import type { Document, MongoClient } from 'mongodb';
import type { ConnectionTarget } from './types';

let mongodb: typeof import('mongodb') | undefined;
/** The driver, loaded at first use: start-up does not pay for it (#15). */
function driver(): typeof import('mongodb') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (mongodb ??= require('mongodb') as typeof import('mongodb'));
}

/** A console request for a MongoDB instance: one find or one aggregate. */
export type MongoRead =
  | {
      kind: 'find';
      collection: string;
      filter: Document;
      projection?: Document;
      sort?: Document;
      skip?: number;
      limit?: number;
    }
  | { kind: 'aggregate'; collection: string; pipeline: Document[] };

const FIND_KEYS = ['find', 'filter', 'projection', 'sort', 'skip', 'limit'];
const AGGREGATE_KEYS = ['aggregate', 'pipeline'];
/** Aggregation stages that write. */
const WRITE_STAGES = ['$out', '$merge'];

const isObject = (v: unknown): v is Document =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first write stage anywhere in a pipeline (also in $lookup, $facet, $unionWith). */
function findWriteStage(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findWriteStage(item);
      if (found) return found;
    }
  } else if (isObject(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (WRITE_STAGES.includes(key)) return key;
      const found = findWriteStage(inner);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Parses the console text for a MongoDB instance: Extended JSON of the
 * shape of the server's own command, `{"find": "users", "filter": {…},
 * "projection"?, "sort"?, "skip"?, "limit"?}` or `{"aggregate": "users",
 * "pipeline": […]}`. Anything else, and write stages, are refused.
 */
export function parseMongoRead(text: string): MongoRead {
  let doc: unknown;
  try {
    doc = driver().BSON.EJSON.parse(text);
  } catch (error) {
    throw new InputError(
      `MongoDB queries are JSON such as {"find": "users", "filter": {}}: ${
        (error as Error).message
      }`,
    );
  }
  if (!isObject(doc)) {
    throw new InputError('A MongoDB query is one JSON object');
  }
  const keys = Object.keys(doc);
  const only = (allowed: string[]) => {
    const extra = keys.filter(k => !allowed.includes(k));
    if (extra.length > 0) {
      throw new InputError(`Not allowed in the console: ${extra.join(', ')}`);
    }
  };
  if (typeof doc.find === 'string' && doc.find) {
    only(FIND_KEYS);
    for (const k of ['filter', 'projection', 'sort'] as const) {
      if (doc[k] !== undefined && !isObject(doc[k])) {
        throw new InputError(`${k} must be an object`);
      }
    }
    for (const k of ['skip', 'limit'] as const) {
      const n = doc[k] === undefined ? undefined : Number(doc[k]);
      if (n !== undefined && (!Number.isInteger(n) || n < 0)) {
        throw new InputError(`${k} must be a whole number`);
      }
    }
    return {
      kind: 'find',
      collection: doc.find,
      filter: doc.filter ?? {},
      projection: doc.projection,
      sort: doc.sort,
      skip: doc.skip === undefined ? undefined : Number(doc.skip),
      limit: doc.limit === undefined ? undefined : Number(doc.limit),
    };
  }
  if (typeof doc.aggregate === 'string' && doc.aggregate) {
    only(AGGREGATE_KEYS);
    if (!Array.isArray(doc.pipeline) || !doc.pipeline.every(isObject)) {
      throw new InputError('pipeline must be a list of stages');
    }
    const stage = findWriteStage(doc.pipeline);
    if (stage) {
      throw new InputError(
        `${stage} writes data; the console runs read-only queries`,
      );
    }
    return {
      kind: 'aggregate',
      collection: doc.aggregate,
      pipeline: doc.pipeline,
    };
  }
  throw new InputError(
    `Only find and aggregate run in the console, not ${keys[0] ?? 'nothing'}`,
  );
}

function client(target: ConnectionTarget, timeoutMs: number): MongoClient {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return new (driver().MongoClient)(`mongodb://${host}:${target.port}/`, {
    directConnection: true,
    auth: target.password
      ? { username: target.user, password: target.password }
      : undefined,
    serverSelectionTimeoutMS: Math.min(timeoutMs, 10_000),
    connectTimeoutMS: 10_000,
    maxPoolSize: 1,
    appName: 'opsdeck-sql',
  });
}

/** One value as text: strings as they are, everything else as relaxed Extended JSON. */
function cell(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  return driver().BSON.EJSON.stringify(value as Document, { relaxed: true });
}

/** Documents as a table: the top-level fields in order of first appearance. */
export function documentsToRows(docs: Document[]) {
  const columns: string[] = [];
  for (const doc of docs) {
    for (const key of Object.keys(doc)) {
      if (!columns.includes(key)) columns.push(key);
    }
  }
  return {
    columns,
    rows: docs.map(doc => columns.map(c => cell(doc[c]))),
  };
}

/** Runs a find or aggregate with a row cap and maxTimeMS; documents as rows. */
export async function mongoReadOnlyQuery(
  target: ConnectionTarget,
  read: MongoRead,
  limits: { maxRows: number; timeoutMs: number },
) {
  if (!target.database) {
    throw new InputError('Give the database to query');
  }
  const mongo = client(target, limits.timeoutMs);
  try {
    const collection = mongo.db(target.database).collection(read.collection);
    // one row more than allowed tells us the result was cut
    const cap = limits.maxRows + 1;
    const cursor =
      read.kind === 'find'
        ? collection.find(read.filter, {
            projection: read.projection,
            sort: read.sort,
            skip: read.skip,
            limit: Math.min(read.limit ?? cap, cap),
            maxTimeMS: limits.timeoutMs,
          })
        : collection.aggregate([...read.pipeline, { $limit: cap }], {
            maxTimeMS: limits.timeoutMs,
          });
    const docs: Document[] = [];
    try {
      for await (const doc of cursor) {
        docs.push(doc);
        if (docs.length >= cap) break;
      }
    } finally {
      await cursor.close();
    }
    const truncated = docs.length > limits.maxRows;
    return {
      ...documentsToRows(docs.slice(0, limits.maxRows)),
      truncated,
    };
  } finally {
    await mongo.close();
  }
}

/** The server version (buildInfo), for the connection check. */
export async function mongoVersion(target: ConnectionTarget): Promise<string> {
  const mongo = client(target, 10_000);
  try {
    const info = await mongo.db('admin').command({ buildInfo: 1 });
    return `MongoDB ${info.version}`;
  } finally {
    await mongo.close();
  }
}
