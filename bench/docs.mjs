#!/usr/bin/env node
// Docs build time for a 200-page TechDocs site (plugins/techdocs-backend-module-opsdeck):
//   opsdeck      the portal's path: opsdeck's copy of the site (content-hash etag), opsdeck's MkDocs
//                generator around TechDocs' own (Material theme, search, opsdeck's Markdown
//                extensions, TechDocs' sanitizing), Debian's mkdocs
//   mkdocs build the same pages built by hand with Debian's `mkdocs build` and the same theme and
//                extensions (what a team without a portal runs)
// Run from the repository root (loads the TypeScript sources through Backstage's node transform):
//   node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/docs.mjs
// Environment: BENCH_PAGES (200), BENCH_RUNS (3)
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median } from './lib/stats.mjs';

const require = createRequire(import.meta.url);
const { ConfigReader } = require('@backstage/config');
const { TechdocsGenerator } = require('@backstage/plugin-techdocs-node');
const winston = require('winston');
const {
  OPSDECK_MARKDOWN_EXTENSIONS,
  OpsdeckMkdocsGenerator,
  copySite,
} = require('../plugins/techdocs-backend-module-opsdeck/src/index.ts');

/** The TechDocs generator configuration opsdeck ships (app-config.yaml). */
const TECHDOCS_CONFIG = {
  techdocs: {
    builder: 'local',
    generator: { runIn: 'local', mkdocs: { omitTechdocsCorePlugin: true } },
    publisher: { type: 'local' },
  },
};

const PAGES = Number(process.env.BENCH_PAGES ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** A runbook-like page: headings, an admonition, code, a table, a task list. */
function page(i) {
  return [
    `# Page ${i}: restart service ${i}`,
    '',
    `**When:** service ${i} fails its health check. **Who:** ops.`,
    '',
    '!!! warning "One host at a time"',
    '    Restart one host, wait until it is healthy, then the next.',
    '',
    '## Steps',
    '',
    '1. Drain the host from the pool.',
    '2. Restart:',
    '',
    '    ```bash',
    `    sudo systemctl restart service-${i}`,
    `    curl -fsS http://127.0.0.1:${8000 + (i % 1000)}/healthz`,
    '    ```',
    '',
    '3. Put it back.',
    '',
    '| host | port | owner |',
    '| --- | --- | --- |',
    ...Array.from({ length: 5 }, (_, h) => `| app-${h} | ${22 + h} | ops |`),
    '',
    '- [x] drained',
    '- [ ] restarted',
    '',
    ...Array.from(
      { length: 12 },
      (_, p) =>
        `Paragraph ${p} of page ${i}: what to check, which logs to read (\`journalctl -u service-${i}\`), whom to call.`,
    ),
    '',
  ].join('\n');
}

function writeSite(root) {
  fs.mkdirSync(path.join(root, 'docs', 'runbooks'), { recursive: true });
  fs.writeFileSync(path.join(root, 'docs', 'index.md'), '# Bench docs\n');
  for (let i = 1; i < PAGES; i++) {
    fs.writeFileSync(
      path.join(root, 'docs', 'runbooks', `page-${i}.md`),
      page(i),
    );
  }
  fs.writeFileSync(
    path.join(root, 'mkdocs.yml'),
    'site_name: Bench\nsite_description: 200 pages\n',
  );
}

/** The same theme and extensions for the hand-run build. */
function writePlainSite(root) {
  writeSite(root);
  const yml = [
    'site_name: Bench',
    'theme:',
    '  name: material',
    '  font: false',
    'plugins:',
    '  - search',
    'markdown_extensions:',
    ...OPSDECK_MARKDOWN_EXTENSIONS.map(e =>
      typeof e === 'string'
        ? `  - ${e}`
        : `  - ${Object.keys(e)[0]}: ${JSON.stringify(Object.values(e)[0])}`,
    ),
  ];
  fs.writeFileSync(path.join(root, 'mkdocs.yml'), `${yml.join('\n')}\n`);
}

const silent = winston.createLogger({ silent: true });
const quiet = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => quiet,
};

/** The portal's build: opsdeck's copy of the site, opsdeck's generator around TechDocs'. */
async function buildSite(source, work) {
  const input = fs.mkdtempSync(path.join(work, 'in-'));
  const output = fs.mkdtempSync(path.join(work, 'out-'));
  const site = await copySite(source, input);
  await new OpsdeckMkdocsGenerator({
    inner: TechdocsGenerator.fromConfig(new ConfigReader(TECHDOCS_CONFIG), {
      logger: quiet,
    }),
  }).run({
    inputDir: input,
    outputDir: output,
    etag: site.etag,
    logger: silent,
    siteOptions: { name: 'bench' },
  });
  return { output };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bench-docs-'));
try {
  const source = path.join(tmp, 'opsdeck-site');
  writeSite(source);
  const plain = path.join(tmp, 'plain-site');
  writePlainSite(plain);

  const opsdeck = [];
  const mkdocs = [];
  let pages = 0;
  for (let i = 0; i < RUNS; i++) {
    let t0 = process.hrtime.bigint();
    const { output } = await buildSite(source, tmp);
    opsdeck.push(Number(process.hrtime.bigint() - t0) / 1e6);
    pages = fs
      .readdirSync(path.join(output, 'runbooks'))
      .filter(d =>
        fs.existsSync(path.join(output, 'runbooks', d, 'index.html')),
      ).length;

    t0 = process.hrtime.bigint();
    execFileSync(
      'mkdocs',
      ['build', '--quiet', '--site-dir', path.join(tmp, 'plain-out')],
      { cwd: plain, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    mkdocs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  if (pages !== PAGES - 1) {
    throw new Error(`expected ${PAGES - 1} runbook pages, found ${pages}`);
  }
  const a = median(opsdeck);
  const b = median(mkdocs);
  console.log(
    `docs build, ${PAGES} pages: opsdeck ${(a / 1000).toFixed(
      2,
    )} s | mkdocs build ${(b / 1000).toFixed(2)} s | ratio ${(a / b).toFixed(
      2,
    )} (median of ${RUNS})`,
  );
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
