import { corpusLog, FixtureBuild, FixtureJenkins } from './FixtureJenkins';

const BASE = Date.UTC(2026, 11, 1, 8, 0, 0);
const HOUR = 3600_000;

function ok(number: number, name: string): FixtureBuild {
  return {
    number,
    result: 'SUCCESS',
    timestamp: BASE + number * HOUR,
    duration: 61_000 + number * 10,
    console: [
      'Started by user Alice Admin',
      '[Pipeline] Start of Pipeline',
      '[Pipeline] stage',
      '[Pipeline] { (Build)',
      `+ make ${name}`,
      '[Pipeline] }',
      '[Pipeline] // stage',
      '[Pipeline] End of Pipeline',
      'Finished: SUCCESS',
      '',
    ].join('\n'),
    stages: [
      { name: 'Checkout', status: 'SUCCESS' },
      { name: 'Build', status: 'SUCCESS' },
      { name: 'Deploy', status: 'SUCCESS' },
    ],
    commit: `${number.toString(16).padStart(4, '0')}c0ffee${'0'.repeat(29)}`,
  };
}

function failed(
  number: number,
  log: string,
  stage: string,
  parameters?: FixtureBuild['parameters'],
): FixtureBuild {
  const stages = ['Checkout', 'Install', 'Build', 'Test', 'Package', 'Deploy'];
  const at = stages.indexOf(stage);
  const stageStatus = (s: string, i: number) => {
    if (s === stage) return 'FAILED';
    return i < at || s === 'Checkout' ? 'SUCCESS' : 'NOT_EXECUTED';
  };
  return {
    number,
    result: 'FAILURE',
    timestamp: BASE + number * HOUR,
    duration: 95_000,
    console: corpusLog(log),
    stages: stages
      .filter((s, i) => i <= at || s === 'Deploy')
      .map((s, i) => ({
        name: s,
        status: stageStatus(s, i),
      })),
    parameters,
  };
}

/**
 * The demo Jenkins (instance `main`): a folder `shop` with a pipeline `web`
 * (45 builds, the last one failed on a TypeScript error) and a multibranch
 * project `api` (branches `main`, failed on a jest test, and
 * `feature/login`); and `legacy`'s job `billing` (failed on a Surefire test).
 * Every failed build's console is a real log of the locator's corpus.
 */
export function demoJenkinsMain(
  options?: ConstructorParameters<typeof FixtureJenkins>[0],
) {
  const web = Array.from({ length: 44 }, (_, i) => ok(i + 1, 'web'));
  web[29] = failed(30, 'npm-etarget-offline.log', 'Install');
  // the last green build archived its package, two test reports of the same
  // file name (Jenkins tells them apart in displayPath) and an HTML report
  web[43].artifacts = [
    {
      relativePath: 'dist/web-1.4.0.tgz',
      content: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x6f, 0x70, 0x73, 0x64]),
      contentType: 'application/x-compressed-tar',
    },
    {
      relativePath: 'reports/unit/junit.xml',
      content: '<testsuites tests="42" failures="0"/>\n',
      contentType: 'application/xml',
    },
    {
      relativePath: 'reports/e2e/junit.xml',
      content: '<testsuites tests="7" failures="0"/>\n',
      contentType: 'application/xml',
    },
    {
      relativePath: 'dist/sbom.cdx.json',
      content: `${JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        version: 1,
        components: [
          { type: 'library', name: 'react', version: '18.3.1' },
          { type: 'library', name: 'react-dom', version: '18.3.1' },
        ],
      })}\n`,
      contentType: 'application/json',
    },
    {
      relativePath: 'coverage/index.html',
      content: '<html><script>alert(document.cookie)</script></html>\n',
      contentType: 'text/html',
    },
  ];
  web.push(
    failed(45, 'tsc-type-error.log', 'Build', [
      { name: 'TARGET', value: 'staging' },
    ]),
  );
  return new FixtureJenkins(options)
    .addJob({ fullName: 'shop/web', kind: 'pipeline', builds: web })
    .addJob({ fullName: 'shop/api', kind: 'multibranch', builds: [] })
    .addJob({
      fullName: 'shop/api/main',
      kind: 'branch',
      builds: [
        ok(1, 'api'),
        ok(2, 'api'),
        failed(3, 'jest-assertion.log', 'Test'),
      ],
    })
    .addJob({
      fullName: 'shop/api/feature%2Flogin',
      kind: 'branch',
      builds: [ok(2, 'api')],
    });
}

/** The second demo instance (`legacy`): a Maven job whose last build failed a test. */
export function demoJenkinsLegacy(
  options?: ConstructorParameters<typeof FixtureJenkins>[0],
) {
  return new FixtureJenkins(options).addJob({
    fullName: 'billing',
    kind: 'pipeline',
    builds: [ok(7, 'billing'), failed(8, 'maven-surefire-failure.log', 'Test')],
  });
}
