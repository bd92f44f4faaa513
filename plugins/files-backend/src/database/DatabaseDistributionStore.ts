import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import type {
  DistributionStore,
  NewDistribution,
  NewDistributionHost,
} from './DistributionStore';
import type {
  Distribution,
  DistributionHost,
  DistributionWithHosts,
  HostProgress,
  HostState,
} from './types';

type DistributionRow = {
  id: string;
  file_id: string;
  file_name: string;
  file_version: number;
  size: number | string;
  sha256: string;
  target_path: string;
  file_mode: number | null;
  file_owner: string | null;
  strategy: string;
  concurrency: number;
  status: string;
  created_by: string;
  created_at: number | string;
  finished_at: number | string | null;
};

type HostRow = {
  distribution_id: string;
  host: string;
  position: number;
  address: string;
  port: number;
  login_user: string | null;
  credential: string | null;
  environment: string | null;
  temp_name: string | null;
  state: string;
  bytes: number | string;
  rate: number | string;
  attempts: number;
  error: string | null;
  error_code: string | null;
  started_at: number | string | null;
  finished_at: number | string | null;
};

const iso = (ms: number | string | null) =>
  ms === null || ms === undefined
    ? undefined
    : new Date(Number(ms)).toISOString();
const ms = (text: string | undefined) =>
  text === undefined ? undefined : Date.parse(text);

const HOST_STATES: HostState[] = [
  'pending',
  'transferring',
  'verifying',
  'verified',
  'failed',
];

function distributionFromRow(r: DistributionRow): Distribution {
  return {
    id: r.id,
    fileId: r.file_id,
    fileName: r.file_name,
    fileVersion: Number(r.file_version),
    size: Number(r.size),
    sha256: r.sha256,
    targetPath: r.target_path,
    fileMode: r.file_mode ?? undefined,
    fileOwner: r.file_owner ?? undefined,
    strategy:
      r.strategy === 'relay' || r.strategy === 'relay-tree'
        ? r.strategy
        : 'direct',
    concurrency: Number(r.concurrency),
    status: r.status as Distribution['status'],
    createdBy: r.created_by,
    createdAt: iso(r.created_at)!,
    finishedAt: iso(r.finished_at),
  };
}

function hostFromRow(r: HostRow): DistributionHost {
  return {
    host: r.host,
    position: Number(r.position),
    address: r.address,
    port: Number(r.port),
    loginUser: r.login_user ?? undefined,
    credential: r.credential ?? undefined,
    environment: r.environment ?? undefined,
    tempName: r.temp_name ?? undefined,
    state: r.state as HostState,
    bytes: Number(r.bytes),
    rate: Number(r.rate),
    attempts: Number(r.attempts),
    error: r.error ?? undefined,
    errorCode: r.error_code ?? undefined,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}

/** Distributions in the plugin's database. */
export class DatabaseDistributionStore implements DistributionStore {
  constructor(
    private readonly knex: Knex,
    private readonly now: () => number = Date.now,
  ) {}

  async create(
    d: NewDistribution,
    hosts: NewDistributionHost[],
  ): Promise<DistributionWithHosts> {
    const id = randomUUID();
    const row: DistributionRow = {
      id,
      file_id: d.fileId,
      file_name: d.fileName,
      file_version: d.fileVersion,
      size: d.size,
      sha256: d.sha256,
      target_path: d.targetPath,
      file_mode: d.fileMode ?? null,
      file_owner: d.fileOwner ?? null,
      strategy: d.strategy,
      concurrency: d.concurrency,
      status: 'running',
      created_by: d.createdBy,
      created_at: this.now(),
      finished_at: null,
    };
    await this.knex.transaction(async tx => {
      await tx('distributions').insert(row);
      const hostRows: HostRow[] = hosts.map((h, position) => ({
        distribution_id: id,
        host: h.host,
        position,
        address: h.address,
        port: h.port,
        login_user: h.loginUser ?? null,
        credential: h.credential ?? null,
        environment: h.environment ?? null,
        temp_name: null,
        state: 'pending',
        bytes: 0,
        rate: 0,
        attempts: 0,
        error: null,
        error_code: null,
        started_at: null,
        finished_at: null,
      }));
      // SQLite limits bound variables per statement
      await tx.batchInsert('distribution_hosts', hostRows, 50);
    });
    return (await this.get(id))!;
  }

  async get(id: string): Promise<DistributionWithHosts | undefined> {
    const r = await this.knex<DistributionRow>('distributions')
      .where({ id })
      .first();
    if (!r) return undefined;
    const hosts = await this.knex<HostRow>('distribution_hosts')
      .where({ distribution_id: id })
      .orderBy('position');
    return { ...distributionFromRow(r), hosts: hosts.map(hostFromRow) };
  }

  async list(limit = 100) {
    const rows = await this.knex<DistributionRow>('distributions')
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit);
    if (rows.length === 0) return [];
    const counts: {
      distribution_id: string;
      state: string;
      n: number | string;
    }[] = await this.knex('distribution_hosts')
      .select('distribution_id', 'state')
      .count({ n: '*' })
      .whereIn(
        'distribution_id',
        rows.map(r => r.id),
      )
      .groupBy('distribution_id', 'state');
    return rows.map(r => {
      const c = Object.fromEntries(HOST_STATES.map(s => [s, 0])) as Record<
        HostState,
        number
      >;
      for (const x of counts) {
        if (x.distribution_id === r.id) c[x.state as HostState] = Number(x.n);
      }
      return { ...distributionFromRow(r), counts: c };
    });
  }

  async updateHost(id: string, host: string, p: HostProgress): Promise<void> {
    const patch: Partial<HostRow> = {};
    if (p.state !== undefined) patch.state = p.state;
    if (p.bytes !== undefined) patch.bytes = p.bytes;
    if (p.rate !== undefined) patch.rate = p.rate;
    if (p.attempts !== undefined) patch.attempts = p.attempts;
    if ('error' in p) {
      // a new error (or none) replaces the code of the last one
      patch.error = p.error ?? null;
      patch.error_code = p.errorCode ?? null;
    }
    if ('startedAt' in p) patch.started_at = ms(p.startedAt) ?? null;
    if ('finishedAt' in p) patch.finished_at = ms(p.finishedAt) ?? null;
    if (p.tempName !== undefined) patch.temp_name = p.tempName;
    if (Object.keys(patch).length === 0) return;
    await this.knex('distribution_hosts')
      .where({ distribution_id: id, host })
      .update(patch);
  }

  async requeueHosts(id: string, states: HostState[]): Promise<number> {
    return this.knex.transaction(async tx => {
      const n = await tx('distribution_hosts')
        .where({ distribution_id: id })
        .whereIn('state', states)
        .update({
          state: 'pending',
          bytes: 0,
          rate: 0,
          error: null,
          error_code: null,
          finished_at: null,
        });
      if (n > 0) {
        await tx('distributions')
          .where({ id })
          .update({ status: 'running', finished_at: null });
      }
      return n;
    });
  }

  async finish(id: string): Promise<void> {
    await this.knex('distributions')
      .where({ id })
      .update({ status: 'done', finished_at: this.now() });
  }

  async listRunning(): Promise<Distribution[]> {
    const rows = await this.knex<DistributionRow>('distributions')
      .where({ status: 'running' })
      .orderBy('created_at');
    return rows.map(distributionFromRow);
  }
}
