import { ConflictError } from '@backstage/errors';
import { clearSecrets } from '../render/secrets';
import type {
  ConfigSet,
  ConfigSetInput,
  ConfigVariables,
  ConfigVersion,
  Release,
  ReleaseAction,
  ReleaseHost,
  ReleaseHostState,
} from '@opsdeck/plugin-config-common';
import { coded, isUniqueViolation } from '@opsdeck/plugin-opsdeck-node';
import type { Knex } from 'knex';
import { AdoptionApprovals } from './AdoptionApprovals';
import { ReleaseReloads } from './ReleaseReloads';
import { ReleaseRunners } from './ReleaseRunners';
import type { SecretMark } from '../render/secretMarks';

const iso = (ms: unknown) =>
  ms === null || ms === undefined
    ? undefined
    : new Date(Number(ms)).toISOString();
const opt = <T>(v: T | null | undefined) => (v === null ? undefined : v);

/** What a host was left with by its last successful push (drift baseline). */
export type HostStateRow = {
  host: string;
  version: number;
  releaseId: number;
  liveSha256: string;
  liveContent: string;
  /** The vault secrets pushed into the file (salted hashes: see secretMarks.ts). */
  secretMarks?: SecretMark[];
  pushedAt: string;
};

/**
 * Config sets, their immutable versions, releases and the per-host drift
 * baseline, in the plugin's database. Versions are only ever inserted: a
 * rollback or an adopted live file is a new version.
 */
export class ConfigStore {
  /** The live bytes each adoption ticket was asked for. */
  readonly adoptions: AdoptionApprovals;
  /** Which backend replica runs each running release (a lease on it). */
  readonly runners: ReleaseRunners;
  /** The reload step of releases pushed without reload. */
  readonly reloads: ReleaseReloads;

  /** `runner`: this backend's instance name (default for tests: one backend). */
  constructor(private readonly knex: Knex, options: { runner?: string } = {}) {
    this.adoptions = new AdoptionApprovals(knex);
    this.runners = new ReleaseRunners(knex, options.runner ?? 'opsdeck-config');
    this.reloads = new ReleaseReloads(knex, this.runners);
  }

  private toSet(r: any, latest: number): ConfigSet {
    return {
      id: Number(r.id),
      name: r.name,
      kind: r.kind,
      owner: r.owner,
      entityRef: opt(r.entity_ref),
      selector: JSON.parse(r.selector),
      targetPath: r.target_path,
      stageRoot: opt(r.stage_root),
      validateCommand: opt(r.validate_command),
      reloadCommand: opt(r.reload_command),
      restartCommand: opt(r.restart_command),
      healthCheck: r.health_check ? JSON.parse(r.health_check) : undefined,
      createdBy: r.created_by,
      createdAt: iso(r.created_at)!,
      updatedAt: iso(r.updated_at)!,
      latestVersion: latest,
    };
  }

  private setColumns(input: ConfigSetInput) {
    return {
      name: input.name,
      kind: input.kind,
      owner: input.owner,
      entity_ref: input.entityRef ?? null,
      selector: JSON.stringify(input.selector),
      target_path: input.targetPath,
      stage_root: input.stageRoot ?? null,
      validate_command: input.validateCommand ?? null,
      reload_command: input.reloadCommand ?? null,
      restart_command: input.restartCommand ?? null,
      health_check: input.healthCheck
        ? JSON.stringify(input.healthCheck)
        : null,
    };
  }

  private async latestVersions(ids: number[]): Promise<Map<number, number>> {
    if (ids.length === 0) return new Map();
    const rows = await this.knex('config_versions')
      .select('set_id')
      .max({ v: 'version' })
      .whereIn('set_id', ids)
      .groupBy('set_id');
    return new Map(rows.map((r: any) => [Number(r.set_id), Number(r.v)]));
  }

  async listSets(): Promise<ConfigSet[]> {
    const rows = await this.knex('config_sets').orderBy('name');
    const latest = await this.latestVersions(rows.map(r => Number(r.id)));
    return rows.map(r => this.toSet(r, latest.get(Number(r.id)) ?? 0));
  }

  async getSet(id: number): Promise<ConfigSet | undefined> {
    const r = await this.knex('config_sets').where({ id }).first();
    if (!r) return undefined;
    const latest = await this.latestVersions([id]);
    return this.toSet(r, latest.get(id) ?? 0);
  }

  async createSet(input: ConfigSetInput, by: string): Promise<ConfigSet> {
    const now = Date.now();
    try {
      const [row] = await this.knex('config_sets')
        .insert({
          ...this.setColumns(input),
          created_by: by,
          created_at: now,
          updated_at: now,
        })
        .returning('id');
      const id = Number(typeof row === 'object' ? row.id : row);
      return (await this.getSet(id))!;
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw coded(
          new ConflictError(`A config set named ${input.name} exists`),
          'config-set-exists',
          { setName: input.name },
        );
      }
      throw e;
    }
  }

  async updateSet(id: number, input: ConfigSetInput): Promise<ConfigSet> {
    try {
      await this.knex('config_sets')
        .where({ id })
        .update({ ...this.setColumns(input), updated_at: Date.now() });
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw coded(
          new ConflictError(`A config set named ${input.name} exists`),
          'config-set-exists',
          { setName: input.name },
        );
      }
      throw e;
    }
    return (await this.getSet(id))!;
  }

  private toVersion(r: any): ConfigVersion {
    const variables = JSON.parse(r.variables);
    return {
      setId: Number(r.set_id),
      version: Number(r.version),
      template: r.template,
      variables,
      message: r.message,
      author: r.author,
      createdAt: iso(r.created_at)!,
      rolledBackFrom:
        r.rolled_back_from === null ? undefined : Number(r.rolled_back_from),
      adoptedFromHost: opt(r.adopted_from_host),
      ...flagClearSecrets(variables),
    };
  }

  /**
   * Saves a new version (number = newest + 1). Concurrent saves each get
   * their own number: a collision on the primary key is retried.
   */
  async addVersion(input: {
    setId: number;
    template: string;
    variables: ConfigVariables;
    message: string;
    author: string;
    rolledBackFrom?: number;
    adoptedFromHost?: string;
  }): Promise<ConfigVersion> {
    for (let attempt = 0; ; attempt++) {
      const latest = (await this.latestVersions([input.setId])).get(
        input.setId,
      );
      const version = (latest ?? 0) + 1;
      try {
        await this.knex('config_versions').insert({
          set_id: input.setId,
          version,
          template: input.template,
          variables: JSON.stringify(input.variables),
          message: input.message,
          author: input.author,
          created_at: Date.now(),
          rolled_back_from: input.rolledBackFrom ?? null,
          adopted_from_host: input.adoptedFromHost ?? null,
        });
        return (await this.getVersion(input.setId, version))!;
      } catch (e) {
        if (!isUniqueViolation(e) || attempt >= 20) throw e;
      }
    }
  }

  async getVersion(
    setId: number,
    version: number,
  ): Promise<ConfigVersion | undefined> {
    const r = await this.knex('config_versions')
      .where({ set_id: setId, version })
      .first();
    return r ? this.toVersion(r) : undefined;
  }

  async listVersions(setId: number): Promise<ConfigVersion[]> {
    const rows = await this.knex('config_versions')
      .where({ set_id: setId })
      .orderBy('version', 'desc');
    return rows.map(r => this.toVersion(r));
  }

  async createRelease(input: {
    setId: number;
    version: number;
    action: ReleaseAction;
    batchSize: number;
    createdBy: string;
    hosts: string[];
    pauseSeconds?: number;
    confirmFirstBatch?: boolean;
    definitionSha256?: string;
    approvalTicket?: number;
    reload?: boolean;
  }): Promise<Release> {
    const id = await this.knex.transaction(async tx => {
      const [row] = await tx('config_releases')
        .insert({
          set_id: input.setId,
          version: input.version,
          action: input.action,
          status: 'running',
          batch_size: input.batchSize,
          pause_seconds: input.pauseSeconds ?? 0,
          confirm_first_batch: input.confirmFirstBatch ?? false,
          next_batch: 0,
          definition_sha256: input.definitionSha256 ?? null,
          approval_ticket: input.approvalTicket ?? null,
          reload: input.reload ?? true,
          created_by: input.createdBy,
          driven_by: input.createdBy,
          created_at: Date.now(),
        })
        .returning('id');
      const releaseId = Number(typeof row === 'object' ? row.id : row);
      // running from its first statement: held by this backend
      await this.runners.take(tx, releaseId);
      if (input.hosts.length > 0) {
        await tx('config_release_hosts').insert(
          input.hosts.map((host, position) => ({
            release_id: releaseId,
            host,
            position,
            state: 'pending',
          })),
        );
      }
      return releaseId;
    });
    return (await this.getRelease(id))!;
  }

  async getRelease(id: number): Promise<Release | undefined> {
    const r = await this.knex('config_releases').where({ id }).first();
    if (!r) return undefined;
    const hosts = await this.knex('config_release_hosts')
      .where({ release_id: id })
      .orderBy('position');
    return this.toRelease(r, hosts);
  }

  private toRelease(r: any, hosts: any[]): Release {
    return {
      id: Number(r.id),
      setId: Number(r.set_id),
      version: Number(r.version),
      action: r.action,
      status: r.status,
      batchSize: Number(r.batch_size),
      pauseSeconds: Number(r.pause_seconds ?? 0),
      confirmFirstBatch: Boolean(r.confirm_first_batch),
      nextBatch: Number(r.next_batch ?? 0),
      resumeAt: iso(r.resume_at),
      createdBy: r.created_by,
      createdAt: iso(r.created_at)!,
      abortedBy: opt(r.aborted_by),
      reload: Boolean(r.reload ?? true),
      reloadedBy: opt(r.reload_by),
      finishedAt: iso(r.finished_at),
      hosts: hosts.map(
        (h): ReleaseHost => ({
          host: h.host,
          position: Number(h.position),
          state: h.state,
          error: opt(h.error),
          contentSha256: opt(h.content_sha256),
          startedAt: iso(h.started_at),
          finishedAt: iso(h.finished_at),
        }),
      ),
    };
  }

  async listReleases(setId: number, limit = 50): Promise<Release[]> {
    const rows = await this.knex('config_releases')
      .where({ set_id: setId })
      .orderBy('id', 'desc')
      .limit(limit);
    const ids = rows.map(r => Number(r.id));
    const hosts = ids.length
      ? await this.knex('config_release_hosts')
          .whereIn('release_id', ids)
          .orderBy('position')
      : [];
    return rows.map(r =>
      this.toRelease(
        r,
        hosts.filter(h => Number(h.release_id) === Number(r.id)),
      ),
    );
  }

  async updateHost(
    releaseId: number,
    host: string,
    patch: {
      state: ReleaseHostState;
      error?: string | null;
      contentSha256?: string;
      started?: boolean;
      finished?: boolean;
    },
  ): Promise<void> {
    const now = Date.now();
    await this.knex('config_release_hosts')
      .where({ release_id: releaseId, host })
      .update({
        state: patch.state,
        ...(patch.error !== undefined ? { error: patch.error } : {}),
        ...(patch.contentSha256 ? { content_sha256: patch.contentSha256 } : {}),
        ...(patch.started ? { started_at: now } : {}),
        ...(patch.finished ? { finished_at: now } : {}),
      });
  }

  /**
   * Starts a host's push, in one statement: only a host still pending of a
   * release still running. False when the release was aborted (or the host
   * was started already): the host is not touched.
   */
  async startHost(releaseId: number, host: string): Promise<boolean> {
    const n = await this.knex('config_release_hosts')
      .where({ release_id: releaseId, host, state: 'pending' })
      .whereIn(
        'release_id',
        this.knex('config_releases')
          .select('id')
          .where({ id: releaseId, status: 'running' }),
      )
      .update({ state: 'uploading', started_at: Date.now() });
    return Number(n) === 1;
  }

  /** Marks a release's hosts still pending `state` (never a host started or aborted). */
  async endPending(
    releaseId: number,
    state: 'failed' | 'aborted',
    error: string,
  ): Promise<void> {
    await this.knex('config_release_hosts')
      .where({ release_id: releaseId, state: 'pending' })
      .update({ state, error, finished_at: Date.now() });
  }

  /** Releases cut short by a restart (see ReleaseRunners.failInterrupted). */
  failInterrupted(options?: { ownPrevious?: boolean }): Promise<number> {
    return this.runners.failInterrupted(options);
  }

  /** What a continue is checked against (not part of the API's release). */
  async releaseChecks(
    id: number,
  ): Promise<
    | { definitionSha256?: string; approvalTicket?: number; drivenBy: string }
    | undefined
  > {
    const r = await this.knex('config_releases')
      .where({ id })
      .first('definition_sha256', 'approval_ticket', 'driven_by', 'created_by');
    if (!r) return undefined;
    return {
      drivenBy: r.driven_by ?? r.created_by,
      definitionSha256: opt(r.definition_sha256),
      approvalTicket:
        r.approval_ticket === null ? undefined : Number(r.approval_ticket),
    };
  }

  /** The release's status now (the releaser looks before each batch). */
  async releaseStatus(id: number): Promise<Release['status'] | undefined> {
    const r = await this.knex('config_releases').where({ id }).first('status');
    return r?.status;
  }

  /**
   * A running release pauses before batch `nextBatch` (until `resumeAt`, or
   * a person); false when it is not running any more (aborted meanwhile).
   */
  async pauseRelease(
    id: number,
    nextBatch: number,
    resumeAt?: number,
  ): Promise<boolean> {
    const n = await this.knex('config_releases')
      .where({ id, status: 'running' })
      .update({
        status: 'paused',
        next_batch: nextBatch,
        resume_at: resumeAt ?? null,
        // nobody runs it while paused: whoever continues takes the lease
        runner: null,
        runner_renewed_at: null,
      });
    return Number(n) === 1;
  }

  /** Paused releases with a timed pause (a restarted backend goes on with them). */
  async timedPauses(): Promise<
    { id: number; nextBatch: number; resumeAt: number }[]
  > {
    const rows = await this.knex('config_releases')
      .where({ status: 'paused' })
      .whereNotNull('resume_at')
      .select('id', 'next_batch', 'resume_at');
    return rows.map(r => ({
      id: Number(r.id),
      nextBatch: Number(r.next_batch),
      resumeAt: Number(r.resume_at),
    }));
  }

  /**
   * Claims a paused release to run its batch `nextBatch` for `by`, in one
   * statement: of two continues (two people, or a person and the timer, or
   * two backends) or a continue and an abort exactly one gets true.
   */
  async claimPaused(
    id: number,
    nextBatch: number,
    by: string,
  ): Promise<boolean> {
    // running again, held by this backend: one statement (the lease's take)
    return this.runners.take(this.knex, id, {
      where: q => q.where({ status: 'paused', next_batch: nextBatch }),
      set: { status: 'running', resume_at: null, driven_by: by },
    });
  }

  /**
   * Aborts a running or paused release in one statement (undefined when it
   * is neither: done, failed, aborted already). A paused one is `aborted`
   * at once; a running one is `aborting` until the hosts of its batch in
   * flight end their own step (the releaser ends it `aborted`). Hosts still
   * pending are `aborted`, never pushed: a host starts only while its
   * release runs ({@link ConfigStore.startHost}).
   */
  async abortRelease(
    id: number,
    by: string,
  ): Promise<'aborting' | 'aborted' | undefined> {
    const now = Date.now();
    return this.knex.transaction(async tx => {
      const n = await tx('config_releases')
        .where({ id })
        .whereIn('status', ['running', 'paused'])
        .update({
          status: tx.raw(
            "CASE WHEN status = 'paused' THEN 'aborted' ELSE 'aborting' END",
          ),
          finished_at: tx.raw(
            "CASE WHEN status = 'paused' THEN CAST(? AS BIGINT) ELSE NULL END",
            [now],
          ),
          resume_at: null,
          aborted_by: by,
        });
      if (Number(n) !== 1) return undefined;
      await tx('config_release_hosts')
        .where({ release_id: id, state: 'pending' })
        .update({
          state: 'aborted',
          error: `not pushed: the release was aborted by ${by}`,
          finished_at: now,
        });
      const r = await tx('config_releases').where({ id }).first('status');
      return r.status;
    });
  }

  /**
   * Ends a running release `status` (an aborting one `aborted`), in one
   * statement; false when it had ended already (aborted while paused).
   */
  async finishRelease(id: number, status: 'done' | 'failed'): Promise<boolean> {
    const n = await this.knex('config_releases')
      .where({ id })
      .whereIn('status', ['running', 'aborting'])
      .update({
        status: this.knex.raw(
          "CASE WHEN status = 'aborting' THEN 'aborted' ELSE ? END",
          [status],
        ),
        finished_at: Date.now(),
      });
    return Number(n) === 1;
  }

  /** Records what a host got (replacing its previous baseline). */
  async recordHostState(
    setId: number,
    state: Omit<HostStateRow, 'pushedAt'>,
  ): Promise<void> {
    await this.knex('config_host_states')
      .insert({
        set_id: setId,
        host: state.host,
        version: state.version,
        release_id: state.releaseId,
        live_sha256: state.liveSha256,
        live_content: state.liveContent,
        secret_marks: state.secretMarks?.length
          ? JSON.stringify(state.secretMarks)
          : null,
        pushed_at: Date.now(),
      })
      .onConflict(['set_id', 'host'])
      .merge();
  }

  async hostStates(setId: number): Promise<HostStateRow[]> {
    const rows = await this.knex('config_host_states')
      .where({ set_id: setId })
      .orderBy('host');
    return rows.map(r => ({
      host: r.host,
      version: Number(r.version),
      releaseId: Number(r.release_id),
      liveSha256: r.live_sha256,
      liveContent: r.live_content,
      ...(r.secret_marks ? { secretMarks: JSON.parse(r.secret_marks) } : {}),
      pushedAt: iso(r.pushed_at)!,
    }));
  }
}

/** `clearSecrets` on a version saved before the rule with clear secret-looking values. */
function flagClearSecrets(variables: ConfigVersion['variables']) {
  const clear = clearSecrets(variables);
  return clear.length > 0 ? { clearSecrets: clear } : {};
}
