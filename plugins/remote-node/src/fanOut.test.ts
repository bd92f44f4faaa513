import { fanOut } from './fanOut';

describe('fanOut', () => {
  it('keeps input order, never rejects, and respects the bound', async () => {
    let inFlight = 0;
    let max = 0;
    const results = await fanOut(
      Array.from({ length: 20 }, (_, i) => i),
      async n => {
        inFlight++;
        max = Math.max(max, inFlight);
        await new Promise(r => setTimeout(r, (n * 7) % 5));
        inFlight--;
        if (n % 3 === 0) throw new Error(`bad ${n}`);
        return n * 2;
      },
      { concurrency: 4 },
    );
    expect(max).toBe(4);
    expect(results.map(r => r.target)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect(results.map(r => (r.ok ? r.value : r.error.message))).toEqual(
      Array.from({ length: 20 }, (_, n) => (n % 3 === 0 ? `bad ${n}` : n * 2)),
    );
    expect(results.every(r => r.ok === (r.target % 3 !== 0))).toBe(true);
  });

  it('turns thrown non-errors and synchronous throws into per-target errors', async () => {
    const results = await fanOut([1, 2], n => {
      if (n === 1) throw 'plain string'; // eslint-disable-line no-throw-literal
      return Promise.resolve(n);
    });
    expect(results[0]).toMatchObject({ ok: false });
    expect(!results[0].ok && results[0].error.message).toBe('plain string');
    expect(results[1]).toMatchObject({ ok: true, value: 2 });
  });

  it('does not start targets after the signal aborted', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const results = await fanOut(
      [0, 1, 2, 3, 4, 5],
      async n => {
        started.push(n);
        if (n === 1) controller.abort();
        return n;
      },
      { concurrency: 2, signal: controller.signal },
    );
    expect(started).toEqual([0, 1]);
    expect(results.map(r => r.ok)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(!results[2].ok && results[2].error.name).toBe(
      'OperationCancelledError',
    );
  });

  it('handles an empty list', async () => {
    await expect(fanOut([], async () => 1)).resolves.toEqual([]);
  });
});
