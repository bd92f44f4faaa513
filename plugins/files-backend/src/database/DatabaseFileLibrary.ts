import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import type { FileLibrary } from './FileLibrary';
import type { FileVersion } from './types';

type Row = {
  id: string;
  name: string;
  version: number;
  size: number | string;
  sha256: string;
  storage_key: string;
  uploader: string;
  owner_group: string | null;
  created_at: number | string;
};

function fromRow(r: Row): FileVersion {
  return {
    id: r.id,
    name: r.name,
    version: Number(r.version),
    size: Number(r.size),
    sha256: r.sha256,
    storageKey: r.storage_key,
    uploader: r.uploader,
    ownerGroup: r.owner_group ?? undefined,
    createdAt: new Date(Number(r.created_at)).toISOString(),
  };
}

function isUniqueViolation(e: unknown): boolean {
  const text = String((e as Error)?.message ?? e);
  return /unique|duplicate key/i.test(text);
}

/** The file library in the plugin's database (table `files`). */
export class DatabaseFileLibrary implements FileLibrary {
  constructor(
    private readonly knex: Knex,
    private readonly now: () => number = Date.now,
  ) {}

  async addVersion(
    file: Omit<FileVersion, 'id' | 'version' | 'createdAt'>,
  ): Promise<FileVersion> {
    return (await this.addVersionOnce(file)).file;
  }

  async addVersionOnce(
    file: Omit<FileVersion, 'id' | 'version' | 'createdAt'>,
  ): Promise<{ file: FileVersion; created: boolean }> {
    // Two uploads of the same name may finish together: the unique
    // (name, version) index decides, the loser takes the next number. The
    // unique storage_key makes a second finish of the same upload find the
    // first one's version instead of adding another.
    for (let attempt = 0; ; attempt++) {
      const id = randomUUID();
      try {
        const row = await this.knex.transaction(async tx => {
          const top = await tx('files')
            .where({ name: file.name })
            .max({ v: 'version' })
            .first();
          const version = Number(top?.v ?? 0) + 1;
          const r: Row = {
            id,
            name: file.name,
            version,
            size: file.size,
            sha256: file.sha256,
            storage_key: file.storageKey,
            uploader: file.uploader,
            owner_group: file.ownerGroup ?? null,
            created_at: this.now(),
          };
          await tx('files').insert(r);
          return r;
        });
        return { file: fromRow(row), created: true };
      } catch (e) {
        if (attempt < 5 && isUniqueViolation(e)) {
          const existing = await this.getByStorageKey(file.storageKey);
          if (existing) return { file: existing, created: false };
          continue;
        }
        throw e;
      }
    }
  }

  async get(id: string): Promise<FileVersion | undefined> {
    const r = await this.knex<Row>('files').where({ id }).first();
    return r ? fromRow(r) : undefined;
  }

  async getByStorageKey(storageKey: string): Promise<FileVersion | undefined> {
    const r = await this.knex<Row>('files')
      .where({ storage_key: storageKey })
      .first();
    return r ? fromRow(r) : undefined;
  }

  async list(
    filter: { name?: string; q?: string } = {},
  ): Promise<FileVersion[]> {
    const q = this.knex<Row>('files');
    if (filter.name) q.where({ name: filter.name });
    if (filter.q) {
      const like = `%${filter.q
        .toLowerCase()
        .replace(/[\\%_]/g, m => `\\${m}`)}%`;
      q.whereRaw(`LOWER(name) LIKE ? ESCAPE '\\'`, [like]);
    }
    const rows = await q
      .orderBy('name', 'asc')
      .orderBy('version', 'desc')
      .limit(1000);
    return rows.map(fromRow);
  }

  async olderVersions(name: string, keep: number): Promise<FileVersion[]> {
    const rows = await this.knex<Row>('files')
      .where({ name })
      .orderBy('version', 'desc')
      .offset(Math.max(0, keep))
      .limit(10_000);
    return rows.map(fromRow);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.knex('files').where({ id }).delete()) > 0;
  }
}
