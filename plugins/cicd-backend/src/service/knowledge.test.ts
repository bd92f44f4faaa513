import { TestDatabases } from '@backstage/backend-test-utils';
import { CauseStore } from '../database/CauseStore';
import { applyCicdMigrations } from '../database/migrations';
import { corpusLog } from '../testUtils/FixtureJenkins';
import { BUILT_IN_CAUSES } from '../locator/knowledgeBase';
import { KnowledgeBase, MAX_STORED_CAUSES, parseCauseInput } from './knowledge';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

async function knowledgeBase() {
  const knex = await databases.init('SQLITE_3');
  await applyCicdMigrations(knex);
  const store = new CauseStore(knex);
  return { store, kb: new KnowledgeBase(BUILT_IN_CAUSES, store) };
}

const LICENSE_LOG = [
  'Started by user Alice Admin',
  '[Pipeline] stage',
  '[Pipeline] { (Test)',
  '+ ./run-tests.sh',
  'LIC-042: license server lic-01.example.com unreachable',
  '[Pipeline] }',
  'ERROR: script returned exit code 1',
  'Finished: FAILURE',
  '',
].join('\n');

describe('KnowledgeBase (built-in and stored causes)', () => {
  it('finds a stored cause in a log no built-in cause explains, and ranks it first', async () => {
    const { kb } = await knowledgeBase();
    const before = await (await kb.locator()).locate(LICENSE_LOG, {});
    expect(before.causes.map(c => c.id)).not.toContain('user-1');
    const stored = await kb.add(
      {
        name: 'License server unreachable',
        category: 'environment',
        patterns: [String.raw`license server \S+ unreachable`],
        runbook: 'https://wiki.example.com/license',
      },
      'user:default/dave',
    );
    const locator = await kb.locator();
    const found = await locator.locate(LICENSE_LOG, {});
    expect(found.causes[0]).toMatchObject({
      id: stored.id,
      category: 'environment',
      title: { en: 'License server unreachable' },
      runbook: 'https://wiki.example.com/license',
      lines: [5],
      stage: 'Test',
    });
    expect(found.linesScanned).toBe(8);
  });

  it('keeps the built-in ranking of a corpus log and adds the stored cause by score', async () => {
    const { kb } = await knowledgeBase();
    const log = corpusLog('tsc-type-error.log');
    const builtIn = await (await kb.locator()).locate(log, {});
    expect(builtIn.causes[0].id).toBe('typescript-compile');
    const stored = await kb.add(
      {
        name: 'Strict tsc',
        category: 'compile',
        patterns: [String.raw`^\+ tsc --noEmit --strict`],
      },
      'user:default/dave',
    );
    const both = await (
      await kb.locator()
    ).locate(log, {
      stages: [{ name: 'Build', status: 'FAILED', durationMillis: 1 }],
    });
    expect(both.causes.map(c => c.id).slice(0, 2)).toEqual([
      stored.id,
      'typescript-compile',
    ]);
    expect(both.causes.map(c => c.score)).toEqual(
      [...both.causes.map(c => c.score)].sort((a, b) => b - a),
    );
  });

  it('changes its signature when a cause is added or deleted (on any replica)', async () => {
    const { kb, store } = await knowledgeBase();
    const other = new KnowledgeBase(BUILT_IN_CAUSES, store);
    const empty = (await kb.locator()).signature;
    const added = await other.add(
      { name: 'x', category: 'runtime', patterns: ['ZZZ-MARKER'] },
      'user:default/bob',
    );
    const one = await kb.locator();
    expect(one.signature).not.toBe(empty);
    expect(
      (await one.locate('a\nZZZ-MARKER here\n', {})).causes.map(c => c.id),
    ).toEqual([added.id]);
    await other.delete(added.id);
    const none = await kb.locator();
    expect(none.signature).toBe(empty);
    expect((await none.locate('a\nZZZ-MARKER here\n', {})).causes).toEqual([]);
  });

  it('lists built-in causes then stored ones, and refuses to delete a built-in one', async () => {
    const { kb } = await knowledgeBase();
    await kb.add(
      { name: 'x', category: 'runtime', patterns: ['x'] },
      'user:default/dave',
    );
    const all = await kb.list();
    expect(all).toHaveLength(BUILT_IN_CAUSES.length + 1);
    expect(all.at(-1)).toMatchObject({ source: 'stored', id: 'user-1' });
    expect(all[0].source).toBe('built-in');
    await expect(kb.delete('out-of-memory')).rejects.toThrow(/built-in/);
    await expect(kb.delete('user-77')).rejects.toThrow(/No stored cause/);
  });

  it('caps the number of stored causes', async () => {
    const { kb, store } = await knowledgeBase();
    for (let i = 0; i < MAX_STORED_CAUSES; i++) {
      await store.add(
        { name: `c${i}`, category: 'runtime', patterns: [`marker-${i}`] },
        'user:default/dave',
      );
    }
    await expect(
      kb.add(
        { name: 'one more', category: 'runtime', patterns: ['x'] },
        'user:default/dave',
      ),
    ).rejects.toThrow(/at most/);
    // all of them still locate
    const found = await (
      await kb.locator()
    ).locate(`marker-0\nmarker-${MAX_STORED_CAUSES - 1}\n`, {});
    expect(found.causes.map(c => c.id)).toEqual(
      expect.arrayContaining(['user-1', `user-${MAX_STORED_CAUSES}`]),
    );
  });
});

describe('parseCauseInput', () => {
  const ok = { name: ' Name ', category: 'test' as const, patterns: ['a+b'] };

  it('trims the name, keeps an http(s) runbook', () => {
    expect(
      parseCauseInput({ ...ok, runbook: 'https://wiki.example.com/x?y=1' }),
    ).toEqual({
      name: 'Name',
      category: 'test',
      patterns: ['a+b'],
      runbook: 'https://wiki.example.com/x?y=1',
    });
    expect(parseCauseInput({ ...ok, runbook: '' }).runbook).toBeUndefined();
  });

  it.each([
    [{ ...ok, patterns: ['(?<=x)y'] }, /Invalid pattern/],
    [{ ...ok, patterns: ['(x)\\1'] }, /Invalid pattern/],
    [{ ...ok, patterns: [''] }, /Invalid pattern/],
    [{ ...ok, patterns: Array(21).fill('x') }, /1 to 20 patterns/],
    [{ ...ok, patterns: ['x'.repeat(2001)] }, /1 to 20 patterns/],
    [{ ...ok, patterns: 'x' as any }, /1 to 20 patterns/],
    // eslint-disable-next-line no-script-url -- the hostile runbook refused
    [{ ...ok, runbook: 'javascript:alert(1)' }, /http/],
    [{ ...ok, runbook: 'data:text/html,x' }, /http/],
    [{ ...ok, category: 'x' as any }, /category/],
    [{ ...ok, name: 'x'.repeat(121) }, /name/],
    [{ ...ok, name: 'a\nb' }, /name/],
  ])('refuses %j', (input, message) => {
    expect(() => parseCauseInput(input)).toThrow(message);
  });
});
