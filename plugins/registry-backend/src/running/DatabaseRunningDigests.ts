import {
  isDigest,
  MAX_IMAGES_PER_SOURCE,
  type RunningImage,
} from '@opsdeck/plugin-registry-node';
import { InputError } from '@backstage/errors';
import type { Knex } from 'knex';
import type { RunningDigests, StoredPlace } from './RunningDigests';

const TABLE = 'registry_running_digests';

/** A report older than this no longer counts (its source stopped reporting). */
export const DEFAULT_RUNNING_TTL_MS = 30 * 60 * 1000;

const SOURCE = /^(cluster|host):[^\s]{1,290}$/;
const LIMITS: Record<string, number> = {
  registry: 260,
  repository: 255,
  where: 400,
  entityRef: 300,
};

/** Checks one reported image; throws an InputError saying what is wrong. */
export function checkImage(image: RunningImage, index: number): RunningImage {
  const problem = (what: string) => new InputError(`images[${index}]: ${what}`);
  if (!image || typeof image !== 'object') throw problem('not an object');
  for (const [field, max] of Object.entries(LIMITS)) {
    const value = (image as any)[field];
    if (typeof value !== 'string' || value.length === 0 || value.length > max) {
      throw problem(`${field} must be a string of 1 to ${max} characters`);
    }
  }
  if (!isDigest(image.digest)) throw problem('digest must be sha256:<64 hex>');
  if (image.kind !== 'pod' && image.kind !== 'host') {
    throw problem('kind must be pod or host');
  }
  return image;
}

/**
 * Running digests in the registry plugin's database
 * (`registry_running_digests`, PostgreSQL or SQLite): every replica sees
 * the same reports. A report replaces its source's rows in one
 * transaction; rows older than the time to live are ignored and pruned.
 */
export class DatabaseRunningDigests implements RunningDigests {
  constructor(
    private readonly db: Knex,
    private readonly options: { ttlMs?: number; now?: () => Date } = {},
  ) {}

  private now() {
    return this.options.now?.() ?? new Date();
  }

  private cutoff() {
    return new Date(
      this.now().getTime() - (this.options.ttlMs ?? DEFAULT_RUNNING_TTL_MS),
    );
  }

  /**
   * Replaces what `source` (`cluster:<name>` or `host:<ref>`) runs with
   * `images`, atomically; prunes sources that stopped reporting.
   */
  async report(source: string, images: RunningImage[]): Promise<void> {
    if (typeof source !== 'string' || !SOURCE.test(source)) {
      throw new InputError('source must be cluster:<name> or host:<ref>');
    }
    if (!Array.isArray(images) || images.length > MAX_IMAGES_PER_SOURCE) {
      throw new InputError(
        `images must be a list of at most ${MAX_IMAGES_PER_SOURCE}`,
      );
    }
    images.forEach(checkImage);
    const reportedAt = this.now();
    const seen = new Set<string>();
    const rows: Array<Record<string, unknown>> = [];
    for (const i of images) {
      const key = `${i.registry}|${i.repository}|${i.digest}|${i.kind}|${i.where}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push({
        source,
        registry: i.registry.toLocaleLowerCase('en-US'),
        repository: i.repository,
        digest: i.digest,
        kind: i.kind,
        where: i.where,
        entity_ref: i.entityRef,
        reported_at: reportedAt,
      });
    }
    await this.db.transaction(async tx => {
      await tx(TABLE).where({ source }).delete();
      if (rows.length) await tx.batchInsert(TABLE, rows, 200);
    });
    await this.db(TABLE).where('reported_at', '<', this.cutoff()).delete();
  }

  async lookup(
    registryHost: string,
    repository: string,
    digests: string[],
  ): Promise<StoredPlace[]> {
    if (digests.length === 0) return [];
    // The host is not compared: one registry has many names (localhost and
    // 127.0.0.1, an explicit :443, a DNS alias), and a digest names content.
    // The same repository and digest running under any registry name counts,
    // so a deletion is refused rather than guessed safe.
    void registryHost;
    const rows = await this.db(TABLE)
      .where({ repository })
      .whereIn('digest', [...new Set(digests)])
      .where('reported_at', '>=', this.cutoff())
      .orderBy(['kind', 'where', 'digest'])
      .select('kind', 'where', 'digest', 'entity_ref');
    return rows.map(r => ({
      kind: r.kind,
      where: r.where,
      digest: r.digest,
      entityRef: r.entity_ref,
    }));
  }
}
