import { ConfigReader } from '@backstage/config';
import { TechdocsGenerator } from '@backstage/plugin-techdocs-node';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as winston from 'winston';
import { mockServices } from '@backstage/backend-test-utils';
import {
  GeneratedBuild,
  OpsdeckMkdocsGenerator,
} from '../generator/OpsdeckMkdocsGenerator';
import { copySite } from '../prepare/OpsdeckDirectoryPreparer';

/** The TechDocs generator configuration opsdeck ships (app-config.yaml). */
export const TECHDOCS_CONFIG = {
  techdocs: {
    builder: 'local',
    generator: {
      runIn: 'local',
      mkdocs: { omitTechdocsCorePlugin: true },
    },
    publisher: { type: 'local' },
  },
};

export const silentLogger = winston.createLogger({ silent: true });

const dirs: string[] = [];

/** A temporary directory removed by {@link removeTempDirs}. */
export async function tempDir(prefix = 'opsdeck-techdocs-test-') {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export async function removeTempDirs() {
  await Promise.all(
    dirs.splice(0).map(d => fs.rm(d, { recursive: true, force: true })),
  );
}

/** Writes files (path -> content) under `root`. */
export async function writeTree(root: string, files: Record<string, string>) {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, content);
  }
}

/**
 * Builds the docs site at `source` the way the portal does: opsdeck's copy
 * of the site, then opsdeck's generator around the stock one, with Debian's
 * mkdocs. Returns the output directory.
 */
export async function buildSite(
  source: string,
  onGenerated?: (b: GeneratedBuild) => Promise<void>,
) {
  const input = await tempDir();
  const output = await tempDir();
  const site = await copySite(source, input);
  const generator = new OpsdeckMkdocsGenerator({
    inner: TechdocsGenerator.fromConfig(new ConfigReader(TECHDOCS_CONFIG), {
      logger: mockServices.logger.mock(),
    }),
    onGenerated,
  });
  await generator.run({
    inputDir: input,
    outputDir: output,
    etag: site.etag,
    logger: silentLogger,
    siteOptions: { name: 'fallback-name' },
  });
  return { output, input, site };
}
