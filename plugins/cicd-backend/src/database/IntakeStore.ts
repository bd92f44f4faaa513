import type {
  BuildArtifact,
  BuildResult,
  BuildSummary,
} from '@opsdeck/plugin-cicd-common';
import type { Knex } from './migrations';

/** A build another CI system posted to the intake webhook. */
export interface IntakeBuild {
  entityRef: string;
  system: string;
  job: string;
  number: number;
  result: BuildResult;
  branch?: string;
  url: string;
  commit?: string;
  timestamp: number;
  durationMillis: number;
  log: string;
  logTruncated: boolean;
  artifacts?: BuildArtifact[];
}

/** The job reference of an intake build: `@intake:<system>/<job>` (no Jenkins instance can be named so). */
export function intakeJobRef(system: string, job: string): string {
  return `@intake:${system}/${job}`;
}

/** Splits `@intake:<system>/<job>`; undefined for anything else. */
export function parseIntakeJobRef(
  value: string,
): { system: string; job: string } | undefined {
  const m = /^@intake:([a-z0-9][a-z0-9-]{0,62})\/(.+)$/s.exec(value);
  return m ? { system: m[1], job: m[2] } : undefined;
}

interface Row {
  entity_ref: string;
  system: string;
  job: string;
  number: number | string;
  result: string;
  branch: string | null;
  url: string | null;
  commit: string | null;
  timestamp: number | string;
  duration_ms: number | string;
  log?: string;
  log_truncated?: boolean | number;
}

function toSummary(row: Row): BuildSummary {
  return {
    job: intakeJobRef(row.system, row.job),
    instance: row.system,
    jobPath: row.job,
    number: Number(row.number),
    result: row.result as BuildResult,
    timestamp: Number(row.timestamp),
    durationMillis: Number(row.duration_ms),
    url: row.url ?? '',
    ...(row.branch ? { branch: row.branch } : {}),
    ...(row.commit ? { commit: row.commit } : {}),
    source: 'intake',
  };
}

const SUMMARY = [
  'entity_ref',
  'system',
  'job',
  'number',
  'result',
  'branch',
  'url',
  'commit',
  'timestamp',
  'duration_ms',
];

/**
 * The intake's tables: delivery ids seen (the replay gate) and the builds
 * other CI systems posted, with their capped logs.
 */
export class IntakeStore {
  constructor(private readonly knex: Knex) {}

  /**
   * The replay gate: records a delivery id with one insert that does
   * nothing when it exists. True for the first caller only, on any replica.
   */
  async claimDelivery(id: string, now = Date.now()): Promise<boolean> {
    const rows = await this.knex('cicd_intake_deliveries')
      .insert({ delivery_id: id, received_at: now })
      .onConflict('delivery_id')
      .ignore()
      .returning('delivery_id');
    return rows.length > 0;
  }

  /** Forgets delivery ids older than `before` (their timestamps are refused anyway). */
  async pruneDeliveries(before: number): Promise<number> {
    return this.knex('cicd_intake_deliveries')
      .where('received_at', '<', before)
      .delete();
  }

  /**
   * Stores a posted build; false when this build of this job was posted
   * before (the first one is kept).
   */
  async add(
    build: IntakeBuild,
    deliveryId: string,
    now = Date.now(),
  ): Promise<boolean> {
    const rows = await this.knex('cicd_intake_builds')
      .insert({
        entity_ref: build.entityRef,
        system: build.system,
        job: build.job,
        number: build.number,
        result: build.result,
        branch: build.branch ?? null,
        url: build.url || null,
        commit: build.commit ?? null,
        timestamp: build.timestamp,
        duration_ms: build.durationMillis,
        log: build.log,
        log_truncated: build.logTruncated,
        artifacts: build.artifacts?.length
          ? JSON.stringify(build.artifacts)
          : null,
        delivery_id: deliveryId,
        received_at: now,
      })
      .onConflict(['entity_ref', 'system', 'job', 'number'])
      .ignore()
      .returning('id');
    return rows.length > 0;
  }

  /** The entity's newest `count` intake builds, newest first. */
  async list(entityRef: string, count: number): Promise<BuildSummary[]> {
    const rows: Row[] = await this.knex('cicd_intake_builds')
      .where({ entity_ref: entityRef })
      .select(SUMMARY)
      .orderBy([
        { column: 'timestamp', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(count);
    return rows.map(toSummary);
  }

  /**
   * What the entity's newest `count` posted builds produced, by
   * `@intake:<system>/<job>#<number>` (builds without artifacts are left out).
   */
  async artifacts(
    entityRef: string,
    count: number,
  ): Promise<Map<string, BuildArtifact[]>> {
    const rows: {
      system: string;
      job: string;
      number: number | string;
      artifacts: string | null;
    }[] = await this.knex('cicd_intake_builds')
      .where({ entity_ref: entityRef })
      .whereNotNull('artifacts')
      .select(['system', 'job', 'number', 'artifacts'])
      .orderBy([
        { column: 'timestamp', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(count);
    return new Map(
      rows.map(r => [
        `${intakeJobRef(r.system, r.job)}#${Number(r.number)}`,
        JSON.parse(r.artifacts ?? '[]') as BuildArtifact[],
      ]),
    );
  }

  /** One posted build of the entity, with its log. */
  async get(
    entityRef: string,
    system: string,
    job: string,
    number: number,
  ): Promise<
    { summary: BuildSummary; log: string; truncated: boolean } | undefined
  > {
    const row: Row | undefined = await this.knex('cicd_intake_builds')
      .where({ entity_ref: entityRef, system, job, number })
      .first();
    if (!row) return undefined;
    return {
      summary: toSummary(row),
      log: row.log ?? '',
      truncated: Boolean(row.log_truncated),
    };
  }
}
