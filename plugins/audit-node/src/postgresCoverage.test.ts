import { TestDatabases } from '@backstage/backend-test-utils';

// TestDatabases silently drops an engine it cannot reach. scripts/test.sh starts a
// real PostgreSQL and sets OPSDECK_REQUIRE_POSTGRES_TESTS, so there a missing
// PostgreSQL must fail the run instead of leaving only the SQLite half tested.
describe('database test coverage', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  it('includes PostgreSQL whenever the test command requires it', () => {
    const required = process.env.OPSDECK_REQUIRE_POSTGRES_TESTS === '1';
    const supported = databases.eachSupportedId().map(([id]) => id);
    expect(supported).toContain('SQLITE_3');
    expect(supported.includes('POSTGRES_15')).toBe(
      required ||
        Boolean(
          process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING,
        ),
    );
  });
});
