import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  distributionTestEnv,
  setupDistribution,
  sha256,
} from '../__testUtils__/distributorSetup';

/**
 * The crash points of a distribution (`crashPoint('files.distribution.<phase>')`)
 * kill the process in the crash-point suite; here the point stops the runner
 * right there instead (its shutdown signal, then an exception that unwinds
 * without marking anything), which leaves the database and the hosts as a
 * kill would, and a second runner resumes. This exercises the recovery path
 * of every phase in-process.
 */
const mockCrash: { at?: string; hit?: () => void } = {};
jest.mock('@opsdeck/plugin-opsdeck-node', () => ({
  ...jest.requireActual('@opsdeck/plugin-opsdeck-node'),
  crashPoint: (name: string) => {
    if (name !== mockCrash.at) return;
    mockCrash.at = undefined;
    mockCrash.hit?.();
    throw new Error(`stopped at crash point ${name}`);
  },
}));

jest.setTimeout(120_000);

const env = distributionTestEnv(2, 'opsdeck-distribution-recovery-');

const PHASES = ['upload', 'chmod', 'verify', 'rename'];

describe.each(['direct', 'relay'] as const)(
  'a %s distribution stopped at a per-host phase resumes to exactly one verified copy',
  strategy => {
    it.each(PHASES)('files.distribution.%s', async phase => {
      const data = randomBytes(6 * 1024 * 1024 + 7);
      const setup = await setupDistribution(env, data, {
        strategy,
        fileMode: 0o640,
      });
      const { store, d, target, distributor, close } = setup;
      try {
        const first = distributor();
        let stopped: Promise<void> | undefined;
        mockCrash.at = `files.distribution.${phase}`;
        mockCrash.hit = () => {
          stopped = first.stop();
        };
        first.start(d.id);
        await first.settled(d.id);
        await stopped;
        // the point was reached, and nothing was marked failed or done
        expect(mockCrash.at).toBeUndefined();
        const cut = (await store.get(d.id))!;
        expect(cut.status).toBe('running');
        expect(cut.hosts.some(h => h.state === 'failed')).toBe(false);

        const second = distributor();
        expect(await second.resumeInterrupted()).toBe(1);
        await second.settled(d.id);
        const done = (await store.get(d.id))!;
        expect(done.status).toBe('done');
        expect(done.hosts.map(h => h.state)).toEqual(['verified', 'verified']);
        expect(sha256(readFileSync(target))).toBe(sha256(data));
        expect(statSync(target).mode & 0o777).toBe(0o640);
        // one file at the target, no temporary copy left behind
        expect(readdirSync(join(target, '..'))).toEqual(['data.bin']);
      } finally {
        mockCrash.at = undefined;
        await close();
      }
    });
  },
);
