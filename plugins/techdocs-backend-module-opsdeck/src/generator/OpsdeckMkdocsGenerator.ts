import {
  GeneratorBase,
  GeneratorRunOptions,
  getMkdocsYml,
} from '@backstage/plugin-techdocs-node';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BuildTracker, PreparedBuild } from '../prepare/BuildTracker';
import { applyOpsdeckDefaults, readMkdocsYml } from './mkdocsDefaults';

/** A finished (or failed) generation, as the module audits it. */
export interface GeneratedBuild extends Partial<PreparedBuild> {
  siteName?: string;
  error?: Error;
}

/**
 * TechDocs' MkDocs generator with opsdeck's configuration around it, for
 * `techdocs.generator.mkdocs.omitTechdocsCorePlugin: true` (the techdocs-core
 * MkDocs plugin is PyPI-only; Debian's mkdocs and mkdocs-material build the
 * site):
 *
 * 1. before: merges opsdeck's theme, search plugin and Markdown extensions
 *    into the site's mkdocs.yml (see mkdocsDefaults.ts);
 * 2. runs the stock generator (`runIn: local`), which sanitizes mkdocs.yml
 *    with TechDocs' allow-lists and runs `mkdocs build`;
 * 3. after: writes `site_name` and `site_description` into
 *    techdocs_metadata.json, which techdocs-core would have written and the
 *    TechDocs reader shows in its header.
 */
export class OpsdeckMkdocsGenerator implements GeneratorBase {
  constructor(
    private readonly deps: {
      inner: GeneratorBase;
      tracker?: BuildTracker;
      onGenerated?: (build: GeneratedBuild) => Promise<void>;
    },
  ) {}

  async run(options: GeneratorRunOptions): Promise<void> {
    const prepared = this.deps.tracker?.take(options.inputDir);
    let siteName: string | undefined;
    try {
      const { path: ymlPath } = await getMkdocsYml(
        options.inputDir,
        options.siteOptions,
      );
      await applyOpsdeckDefaults(ymlPath);
      await this.deps.inner.run(options);
      siteName = await writeSiteMetadata(options.outputDir, ymlPath);
    } catch (error) {
      await this.deps.onGenerated?.({ ...prepared, error: error as Error });
      throw error;
    }
    await this.deps.onGenerated?.({ ...prepared, siteName });
  }
}

/** Adds site_name / site_description from mkdocs.yml to techdocs_metadata.json. */
export async function writeSiteMetadata(
  outputDir: string,
  mkdocsYmlPath: string,
): Promise<string | undefined> {
  const yml = await readMkdocsYml(mkdocsYmlPath);
  const metadataPath = path.join(outputDir, 'techdocs_metadata.json');
  const metadata = JSON.parse(
    await fs.readFile(metadataPath, 'utf8').catch(() => '{}'),
  );
  if (typeof yml.site_name === 'string') metadata.site_name = yml.site_name;
  if (typeof yml.site_description === 'string') {
    metadata.site_description = yml.site_description;
  }
  await fs.writeFile(metadataPath, JSON.stringify(metadata));
  return metadata.site_name;
}
