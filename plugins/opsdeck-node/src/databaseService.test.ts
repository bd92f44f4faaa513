import {
  mockServices,
  ServiceFactoryTester,
} from '@backstage/backend-test-utils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { createOpsdeckDatabaseServiceFactory } from './databaseService';

async function journalMode(knex: Knex): Promise<string> {
  const rows = await knex.raw('PRAGMA journal_mode');
  return rows[0].journal_mode;
}

describe('createOpsdeckDatabaseServiceFactory', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-db-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function tester() {
    return ServiceFactoryTester.from(
      createOpsdeckDatabaseServiceFactory({
        sqliteWal: pluginId => pluginId === 'jobs',
      }),
      {
        dependencies: [
          mockServices.rootConfig.factory({
            data: {
              backend: {
                database: {
                  client: 'better-sqlite3',
                  connection: { directory: dir },
                },
              },
            },
          }),
        ],
      },
    );
  }

  it('hands a chosen plugin its SQLite file already in WAL, before its first statement', async () => {
    const jobs = await tester().getSubject('jobs');
    const knex = await jobs.getClient();
    // the first statement anyone runs already finds the log in place
    expect(await journalMode(knex)).toBe('wal');
    expect(fs.existsSync(path.join(dir, 'jobs.sqlite'))).toBe(true);
    const sync = await knex.raw('PRAGMA synchronous');
    expect(sync[0].synchronous).toBe(1); // NORMAL
    expect(await jobs.getClient()).toBe(knex);
  });

  it('leaves the other plugins as Backstage creates them', async () => {
    const catalog = await tester().getSubject('catalog');
    const knex = await catalog.getClient();
    expect(await journalMode(knex)).toBe('delete');
    expect(catalog.migrations?.skip).toBe(false);
  });

  it('leaves an in-memory database alone', async () => {
    const subject = await ServiceFactoryTester.from(
      createOpsdeckDatabaseServiceFactory({ sqliteWal: () => true }),
    ).getSubject('jobs');
    const knex = await subject.getClient();
    expect(await journalMode(knex)).toBe('memory');
  });
});
