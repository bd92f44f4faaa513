import type { BuildSummary, Deployment } from '@opsdeck/plugin-cicd-common';
import { mergeTimeline } from './timeline';

const T0 = Date.UTC(2026, 11, 3, 9, 0);
const SHA = 'abcdef0123456789abcdef0123456789abcdef01';

const build = (
  number: number,
  minutes: number,
  result: BuildSummary['result'],
  commit?: string,
): BuildSummary => ({
  job: 'main:shop/web',
  instance: 'main',
  jobPath: 'shop/web',
  number,
  result,
  timestamp: T0 + minutes * 60_000,
  durationMillis: 60_000,
  url: `https://jenkins.example.com/job/shop/job/web/${number}/`,
  ...(commit ? { commit } : {}),
});

const deploy = (minutes: number, commit?: string): Deployment => ({
  entityRef: 'component:default/shop',
  system: 'argocd',
  environment: 'production',
  version: '1.0.0',
  status: 'SUCCESS',
  url: '',
  timestamp: T0 + minutes * 60_000,
  ...(commit ? { commit } : {}),
});

describe('mergeTimeline', () => {
  it('links a deployment to the newest successful build of its commit that started before it (short SHAs match)', () => {
    const items = mergeTimeline(
      [
        build(3, 20, 'SUCCESS', SHA), // after the deployment
        build(2, 10, 'SUCCESS', SHA),
        build(1, 5, 'FAILURE', SHA),
        build(4, 1, 'SUCCESS', '1234567'),
      ],
      new Map(),
      [deploy(15, SHA.slice(0, 8))],
    );
    expect(items.find(i => i.kind === 'deployment')).toMatchObject({
      build: { job: 'main:shop/web', number: 2 },
    });
    expect(
      items.map(i => [
        i.kind,
        (i.timestamp - T0) / 60_000,
        i.kind === 'commit' ? i.commit : null,
      ]),
    ).toEqual([
      ['commit', 1, '1234567'],
      ['build', 1, null],
      // the deployment's short id is the same commit: one entry, full id
      ['commit', 5, SHA],
      ['build', 5, null],
      ['build', 10, null],
      ['deployment', 15, null],
      ['build', 20, null],
    ]);
  });

  it('falls back to the newest build of the commit, and links nothing without a commit', () => {
    const items = mergeTimeline(
      [build(1, 5, 'FAILURE', SHA)],
      new Map([
        ['main:shop/web#1', [{ name: 'web.tgz' }]],
        ['main:shop/web#9', [{ name: 'other.tgz' }]],
      ]),
      [deploy(2, SHA), deploy(3)],
    );
    expect(
      items.map(i => [
        i.kind,
        (i.timestamp - T0) / 60_000,
        i.kind === 'deployment' ? i.build?.number ?? null : null,
      ]),
    ).toEqual([
      ['commit', 2, null],
      ['deployment', 2, 1],
      ['deployment', 3, null],
      ['build', 5, null],
      ['artifact', 6, null],
    ]);
  });
});
