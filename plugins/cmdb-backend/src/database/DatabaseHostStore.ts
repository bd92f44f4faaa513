import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  hostRefOf,
  type HostDetail,
  type HostListPage,
  type HostListQuery,
  type HostSelector,
  type HostSource,
  type HostSummary,
} from '@opsdeck/plugin-cmdb-common';
import { Knex } from 'knex';
import {
  DEFAULT_PAGE_SIZE,
  FactsOutcome,
  HostRecord,
  HostStore,
  MAX_PAGE_SIZE,
} from './HostStore';
import { applyCmdbMigrations } from './migrations';

type HostRow = {
  name: string;
  address: string;
  port: number;
  login_user: string | null;
  credential: string | null;
  environment: string;
  owner: string;
  system: string | null;
  tags: string;
  description: string | null;
  source: string;
  entity_ref: string;
  updated_at: Date | string | number;
};

type FactsRow = {
  name: string;
  reachable: boolean | number;
  error: string | null;
  os: string | null;
  kernel: string | null;
  cpu_count: number | null;
  cpu_model: string | null;
  mem_total_bytes: number | string | null;
  disks: string | null;
  ips: string | null;
  uptime_seconds: number | string | null;
  collected_at: Date | string | number;
  last_ok_at: Date | string | number | null;
};

type JoinedRow = HostRow & Partial<Omit<FactsRow, 'name'>>;

/** How long the first-page count is reused for the same filters. */
export const COUNT_CACHE_MS = 10_000;
const BATCH = 500;

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, c => `\\${c}`);
}

function toIso(value: Date | string | number): string {
  return new Date(value).toISOString();
}

function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function num(value: number | string | null | undefined): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

function toRow(host: HostRecord): Omit<HostRow, 'updated_at'> & {
  updated_at: Date;
} {
  return {
    name: host.name,
    address: host.address,
    port: host.port,
    login_user: host.loginUser ?? null,
    credential: host.credential ?? null,
    environment: host.environment,
    owner: host.owner,
    system: host.system ?? null,
    tags: JSON.stringify(host.tags ?? []),
    description: host.description ?? null,
    source: host.source,
    entity_ref: host.entityRef,
    updated_at: new Date(),
  };
}

function toRecord(row: HostRow): HostRecord {
  const r: HostRecord = {
    name: row.name,
    address: row.address,
    port: Number(row.port),
    environment: row.environment as HostRecord['environment'],
    owner: row.owner,
    tags: parseJson<string[]>(row.tags, []),
    source: row.source as HostSource,
    entityRef: row.entity_ref,
  };
  if (row.login_user) r.loginUser = row.login_user;
  if (row.credential) r.credential = row.credential;
  if (row.system) r.system = row.system;
  if (row.description) r.description = row.description;
  return r;
}

function toSummary(row: JoinedRow): HostSummary {
  const { description: _d, ...record } = toRecord(row);
  const s: HostSummary = {
    ...record,
    reachable:
      row.reachable === null || row.reachable === undefined
        ? null
        : Boolean(row.reachable),
  };
  if (row.error) s.error = row.error;
  if (row.os) s.os = row.os;
  const uptime = num(row.uptime_seconds);
  if (uptime !== undefined) s.uptimeSeconds = uptime;
  if (row.collected_at) s.collectedAt = toIso(row.collected_at);
  return s;
}

function toDetail(row: JoinedRow): HostDetail {
  const d: HostDetail = toSummary(row);
  if (row.kernel) d.kernel = row.kernel;
  const cpuCount = num(row.cpu_count);
  if (cpuCount !== undefined) d.cpuCount = cpuCount;
  if (row.cpu_model) d.cpuModel = row.cpu_model;
  const mem = num(row.mem_total_bytes);
  if (mem !== undefined) d.memTotalBytes = mem;
  if (row.disks) d.disks = parseJson(row.disks, []);
  if (row.ips) d.ips = parseJson(row.ips, []);
  if (row.last_ok_at) d.lastOkAt = toIso(row.last_ok_at);
  if (row.description) d.description = row.description;
  return d;
}

const SUMMARY_COLUMNS = [
  'hosts.*',
  'f.reachable',
  'f.error',
  'f.os',
  'f.uptime_seconds',
  'f.collected_at',
];

/** {@link HostStore} on the plugin's knex database (PostgreSQL or SQLite). */
export class DatabaseHostStore implements HostStore {
  private readonly counts = new Map<string, { total: number; at: number }>();

  /** Applies migrations (unless the database service says to skip them). */
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseHostStore> {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await applyCmdbMigrations(knex);
    }
    return new DatabaseHostStore(knex);
  }

  constructor(
    private readonly db: Knex,
    private readonly now: () => number = Date.now,
  ) {}

  private filtered(query: HostListQuery): Knex.QueryBuilder {
    const q = this.db('hosts').leftJoin(
      'host_facts as f',
      'f.name',
      'hosts.name',
    );
    if (query.environment) q.where('hosts.environment', query.environment);
    if (query.owner) q.where('hosts.owner', query.owner);
    if (query.system) q.where('hosts.system', query.system);
    if (query.tag) {
      // tags is a JSON array of strings: match the quoted element
      q.whereRaw(`hosts.tags like ? escape '\\'`, [
        `%${escapeLike(JSON.stringify(query.tag))}%`,
      ]);
    }
    if (query.reachable === 'true') q.where('f.reachable', true);
    if (query.reachable === 'false') q.where('f.reachable', false);
    if (query.reachable === 'unknown') q.whereNull('f.name');
    if (query.q) {
      q.whereRaw(`lower(hosts.name) like ? escape '\\'`, [
        `%${escapeLike(query.q.toLowerCase())}%`,
      ]);
    }
    return q;
  }

  private async count(query: HostListQuery): Promise<number> {
    const key = JSON.stringify([
      query.environment,
      query.owner,
      query.system,
      query.tag,
      query.reachable,
      query.q,
    ]);
    const cached = this.counts.get(key);
    if (cached && this.now() - cached.at < COUNT_CACHE_MS) {
      return cached.total;
    }
    const [row] = await this.filtered(query).count({ n: '*' });
    const total = Number((row as { n: number | string }).n);
    if (this.counts.size > 1000) this.counts.clear();
    this.counts.set(key, { total, at: this.now() });
    return total;
  }

  private invalidateCounts() {
    this.counts.clear();
  }

  async list(query: HostListQuery): Promise<HostListPage> {
    const limit = Math.min(
      Math.max(Math.floor(query.limit ?? DEFAULT_PAGE_SIZE), 1),
      MAX_PAGE_SIZE,
    );
    const q = this.filtered(query).select(SUMMARY_COLUMNS);
    if (query.after !== undefined) q.where('hosts.name', '>', query.after);
    const [rows, total] = await Promise.all([
      q.orderBy('hosts.name', 'asc').limit(limit + 1) as Promise<JoinedRow[]>,
      query.after === undefined ? this.count(query) : undefined,
    ]);
    const items = rows.slice(0, limit).map(toSummary);
    const page: HostListPage = { items };
    if (rows.length > limit) page.nextCursor = items[items.length - 1].name;
    if (total !== undefined) page.total = total;
    return page;
  }

  async *stream(
    query: Omit<HostListQuery, 'after' | 'limit'>,
    pageSize = 1000,
  ): AsyncIterable<HostSummary[]> {
    let after: string | undefined;
    for (;;) {
      const q = this.filtered(query).select(SUMMARY_COLUMNS);
      if (after !== undefined) q.where('hosts.name', '>', after);
      const rows: JoinedRow[] = await q
        .orderBy('hosts.name', 'asc')
        .limit(pageSize);
      if (rows.length === 0) return;
      yield rows.map(toSummary);
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1].name;
    }
  }

  async *details(pageSize = 1000): AsyncIterable<HostDetail[]> {
    let after: string | undefined;
    for (;;) {
      const q = this.db('hosts')
        .leftJoin('host_facts as f', 'f.name', 'hosts.name')
        .select(['f.*', 'hosts.*']);
      if (after !== undefined) q.where('hosts.name', '>', after);
      const rows: JoinedRow[] = await q
        .orderBy('hosts.name', 'asc')
        .limit(pageSize);
      if (rows.length === 0) return;
      yield rows.map(toDetail);
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1].name;
    }
  }

  async get(name: string): Promise<HostDetail | undefined> {
    const row: JoinedRow | undefined = await this.db('hosts')
      .leftJoin('host_facts as f', 'f.name', 'hosts.name')
      .select(['f.*', 'hosts.*'])
      .where('hosts.name', name)
      .first();
    return row ? toDetail(row) : undefined;
  }

  async getRecord(name: string): Promise<HostRecord | undefined> {
    const row = await this.db<HostRow>('hosts').where('name', name).first();
    return row ? toRecord(row) : undefined;
  }

  async *candidates(
    selector: HostSelector,
    pageSize = 1000,
  ): AsyncIterable<HostRecord[]> {
    let names: string[] | undefined;
    if (selector.names && selector.names.length > 0) {
      // the name is the key; the namespace is checked on the entity ref later
      names = [
        ...new Set(
          selector.names
            .map(n => hostRefOf(n))
            .filter((r): r is string => Boolean(r))
            .map(r => r.slice(r.indexOf('/') + 1)),
        ),
      ];
      if (names.length === 0) return;
    }
    let after: string | undefined;
    for (;;) {
      const q = this.db<HostRow>('hosts').select('*');
      if (names)
        q.whereRaw(`lower(name) in (${names.map(() => '?').join(',')})`, names);
      if (selector.environment) q.where('environment', selector.environment);
      for (const tag of selector.tags ?? []) {
        // SQLite's lower() folds ASCII only: narrow by ASCII tags alone
        if (/^[\x20-\x7e]*$/.test(tag)) {
          q.whereRaw(`lower(tags) like ? escape '\\'`, [
            `%${escapeLike(JSON.stringify(tag.toLowerCase()))}%`,
          ]);
        }
      }
      if (after !== undefined) q.where('name', '>', after);
      const rows = await q.orderBy('name', 'asc').limit(pageSize);
      if (rows.length === 0) return;
      yield rows.map(toRecord);
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1].name;
    }
  }

  async *records(
    source?: HostSource,
    pageSize = 1000,
  ): AsyncIterable<HostRecord[]> {
    let after: string | undefined;
    for (;;) {
      const q = this.db<HostRow>('hosts').select('*');
      if (source) q.where('source', source);
      if (after !== undefined) q.where('name', '>', after);
      const rows = await q.orderBy('name', 'asc').limit(pageSize);
      if (rows.length === 0) return;
      yield rows.map(toRecord);
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1].name;
    }
  }

  async insert(host: HostRecord): Promise<boolean> {
    const inserted = await this.db('hosts')
      .insert(toRow(host))
      .onConflict('name')
      .ignore()
      .returning('name');
    this.invalidateCounts();
    return inserted.length > 0;
  }

  async delete(name: string): Promise<boolean> {
    const removed: number = await this.db.transaction(async tx => {
      await tx('host_facts').where('name', name).delete();
      return Number(await tx('hosts').where('name', name).delete());
    });
    this.invalidateCounts();
    return removed > 0;
  }

  async replaceCatalogHosts(
    hosts: HostRecord[],
  ): Promise<{ upserted: number; removed: number }> {
    const wanted = new Map(hosts.map(h => [h.name, h]));
    let upserted = 0;
    const rows = [...wanted.values()].map(h =>
      toRow({ ...h, source: 'catalog' }),
    );
    for (let i = 0; i < rows.length; i += BATCH) {
      const chunk = rows.slice(i, i + BATCH);
      // a name registered through the CMDB API keeps its cmdb row
      const changed = await this.db('hosts')
        .insert(chunk)
        .onConflict('name')
        .merge([
          'address',
          'port',
          'login_user',
          'credential',
          'environment',
          'owner',
          'system',
          'tags',
          'description',
          'entity_ref',
          'updated_at',
        ])
        .where('hosts.source', 'catalog')
        .returning('name');
      upserted += changed.length;
    }

    const existing: string[] = [];
    for await (const page of this.records('catalog')) {
      for (const r of page) existing.push(r.name);
    }
    const gone = existing.filter(name => !wanted.has(name));
    for (let i = 0; i < gone.length; i += BATCH) {
      const chunk = gone.slice(i, i + BATCH);
      await this.db.transaction(async tx => {
        await tx('host_facts').whereIn('name', chunk).delete();
        await tx('hosts')
          .whereIn('name', chunk)
          .where('source', 'catalog')
          .delete();
      });
    }
    this.invalidateCounts();
    return { upserted, removed: gone.length };
  }

  async recordFacts(
    name: string,
    outcome: FactsOutcome,
    at: Date = new Date(),
  ): Promise<void> {
    let row: Partial<FactsRow>;
    if (outcome.reachable) {
      const f = outcome.facts;
      row = {
        reachable: true,
        error: null,
        os: f.os?.slice(0, 255) ?? null,
        kernel: f.kernel?.slice(0, 255) ?? null,
        cpu_count: f.cpuCount ?? null,
        cpu_model: f.cpuModel?.slice(0, 255) ?? null,
        mem_total_bytes: f.memTotalBytes ?? null,
        disks: f.disks ? JSON.stringify(f.disks) : null,
        ips: f.ips ? JSON.stringify(f.ips) : null,
        uptime_seconds:
          f.uptimeSeconds === undefined ? null : Math.floor(f.uptimeSeconds),
        collected_at: at,
        last_ok_at: at,
      };
    } else {
      // previous facts stay; only reachability, error and time change
      row = {
        reachable: false,
        error: outcome.error.slice(0, 4000),
        collected_at: at,
      };
    }
    const exists = await this.db('hosts').where('name', name).first('name');
    if (!exists) return; // decommissioned meanwhile
    await this.db('host_facts')
      .insert({ name, ...row })
      .onConflict('name')
      .merge(Object.keys(row));
    if (this.counts.size) this.invalidateCounts();
  }
}
