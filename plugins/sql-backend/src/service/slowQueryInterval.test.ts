import { slowQueryInterval } from './slowQueryInterval';

const q = (
  statement: string,
  calls: number,
  totalMs: number,
  rows?: number,
) => ({
  statement,
  calls,
  totalMs,
  meanMs: totalMs / calls,
  ...(rows === undefined ? {} : { rows }),
});

describe('slowQueryInterval', () => {
  it('takes the difference of growing counters, mean = Δtotal / Δcalls, sorted by Δtotal', () => {
    const result = slowQueryInterval(
      [q('SELECT a', 10, 100, 50), q('SELECT b', 4, 400, 4)],
      [q('SELECT a', 16, 400, 80), q('SELECT b', 5, 450, 5)],
    );
    expect(result).toEqual([
      {
        statement: 'SELECT a',
        calls: 6,
        totalMs: 300,
        meanMs: 50,
        rows: 30,
        basis: 'difference',
      },
      {
        statement: 'SELECT b',
        calls: 1,
        totalMs: 50,
        meanMs: 50,
        rows: 1,
        basis: 'difference',
      },
    ]);
  });

  it('counts a statement new in the later snapshot in full', () => {
    expect(
      slowQueryInterval(
        [q('SELECT a', 2, 20)],
        [q('SELECT a', 3, 30), q('SELECT n', 4, 80)],
      ),
    ).toEqual([
      {
        statement: 'SELECT n',
        calls: 4,
        totalMs: 80,
        meanMs: 20,
        basis: 'new',
      },
      {
        statement: 'SELECT a',
        calls: 1,
        totalMs: 10,
        meanMs: 10,
        basis: 'difference',
      },
    ]);
  });

  it('takes the later figures when a counter went down (stats reset)', () => {
    expect(
      slowQueryInterval(
        [q('SELECT a', 100, 9000, 100)],
        [q('SELECT a', 7, 70, 7)],
      ),
    ).toEqual([
      {
        statement: 'SELECT a',
        calls: 7,
        totalMs: 70,
        meanMs: 10,
        rows: 7,
        basis: 'reset',
      },
    ]);
    // fewer calls but more time is a reset too, not a negative difference
    expect(
      slowQueryInterval([q('SELECT a', 100, 50)], [q('SELECT a', 3, 90)])[0],
    ).toMatchObject({ calls: 3, totalMs: 90, meanMs: 30, basis: 'reset' });
  });

  it('leaves out statements gone from the later snapshot and those without calls in between', () => {
    expect(
      slowQueryInterval(
        [
          q('SELECT gone', 5, 500),
          q('SELECT idle', 3, 30),
          q('SELECT a', 1, 1),
        ],
        [q('SELECT idle', 3, 30), q('SELECT a', 2, 3)],
      ),
    ).toEqual([
      {
        statement: 'SELECT a',
        calls: 1,
        totalMs: 2,
        meanMs: 2,
        basis: 'difference',
      },
    ]);
  });

  it('sums entries with the same normalised text (one per user in pg_stat_statements)', () => {
    expect(
      slowQueryInterval(
        [q('SELECT a', 1, 10, 1), q('SELECT a', 2, 20, 2)],
        [q('SELECT a', 4, 40, 4), q('SELECT a', 2, 20, 2)],
      ),
    ).toEqual([
      {
        statement: 'SELECT a',
        calls: 3,
        totalMs: 30,
        meanMs: 10,
        rows: 3,
        basis: 'difference',
      },
    ]);
  });
});
