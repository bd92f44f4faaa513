import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

// Runs crashPoint in a child process (it kills its own process) through the
// TypeScript source, as the backend does.
function run(env: Record<string, string | undefined>, calls: string[]) {
  const script = `
    require('@backstage/cli/config/nodeTransform.cjs');
    const { crashPoint } = require(${JSON.stringify(
      resolve(__dirname, 'crashPoint.ts'),
    )});
    for (const c of ${JSON.stringify(
      calls,
    )}) { crashPoint(c); process.stdout.write(c + ' passed\\n'); }
  `;
  return spawnSync(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('crashPoint', () => {
  it('kills the process with SIGKILL at the named point', () => {
    const r = run({ OPSDECK_CRASH_POINT: 'jobs.tick.claimed' }, [
      'jobs.tick.start',
      'jobs.tick.claimed',
      'jobs.tick.run-inserted',
    ]);
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).toBe('jobs.tick.start passed\n');
    expect(r.stderr).toContain(
      'opsdeck crash point reached: jobs.tick.claimed#1',
    );
  });

  it('crashes at the n-th hit with name#n', () => {
    const r = run({ OPSDECK_CRASH_POINT: 'grant#2' }, ['grant', 'grant', 'x']);
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).toBe('grant passed\n');
  });

  it('does nothing when unset, for other points, or in production', () => {
    expect(run({}, ['a']).stdout).toBe('a passed\n');
    expect(run({ OPSDECK_CRASH_POINT: 'b' }, ['a']).stdout).toBe('a passed\n');
    const prod = run({ OPSDECK_CRASH_POINT: 'a', NODE_ENV: 'production' }, [
      'a',
    ]);
    expect(prod.signal).toBeNull();
    expect(prod.stdout).toBe('a passed\n');
  });
});
