import {
  LoggerService,
  resolveSafeChildPath,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { InputError, NotModifiedError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import {
  parseReferenceAnnotation,
  PreparerBase,
  PreparerOptions,
  PreparerResponse,
  transformDirLocation,
} from '@backstage/plugin-techdocs-node';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readMkdocsYml } from '../generator/mkdocsDefaults';
import { BuildTracker } from './BuildTracker';

/**
 * Part of every etag: a new value rebuilds every site once, for when opsdeck's
 * generator defaults change (mkdocsDefaults.ts).
 */
export const GENERATOR_REVISION = 'opsdeck-techdocs-1';

/** Largest docs site the preparer copies (files and bytes). */
export const LIMITS = { files: 20_000, bytes: 256 * 1024 * 1024 };

const MKDOCS_FILES = ['mkdocs.yaml', 'mkdocs.yml'];

/** A docs site copied out of its source directory, with its content hash. */
export interface CopiedSite {
  dir: string;
  etag: string;
  /** Markdown pages copied. */
  pages: number;
  /** Symbolic links left out (never followed). */
  skippedLinks: string[];
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

/**
 * Copies the docs site at `source` (its mkdocs.yml and docs_dir, nothing else
 * of the repository) into `into`, and hashes what it copied. Symbolic links
 * are not copied: they could point outside the site (e.g. at /etc/passwd),
 * and MkDocs would follow them.
 */
export async function copySite(
  source: string,
  into: string,
): Promise<CopiedSite> {
  const files: { rel: string; hash: string }[] = [];
  const skippedLinks: string[] = [];
  let bytes = 0;
  let pages = 0;

  const copyFile = async (rel: string) => {
    const from = resolveSafeChildPath(source, rel);
    const content = await fs.readFile(from);
    bytes += content.length;
    if (files.length + 1 > LIMITS.files || bytes > LIMITS.bytes) {
      throw new InputError(
        `The docs site at ${source} is larger than ${LIMITS.files} files or ${LIMITS.bytes} bytes`,
      );
    }
    const to = path.join(into, rel);
    await fs.mkdir(path.dirname(to), { recursive: true });
    await fs.writeFile(to, content);
    files.push({
      rel,
      hash: createHash('sha256').update(content).digest('hex'),
    });
    if (rel.endsWith('.md')) pages += 1;
  };

  const walk = async (relDir: string) => {
    const entries = await fs.readdir(resolveSafeChildPath(source, relDir), {
      withFileTypes: true,
    });
    for (const entry of entries) {
      const rel = path.posix.join(relDir, entry.name);
      if (entry.isSymbolicLink()) {
        skippedLinks.push(rel);
      } else if (entry.isDirectory()) {
        await walk(rel);
      } else if (entry.isFile()) {
        await copyFile(rel);
      }
    }
  };

  let mkdocsFile: string | undefined;
  for (const name of MKDOCS_FILES) {
    const p = path.join(source, name);
    if (await exists(p)) {
      if ((await fs.lstat(p)).isSymbolicLink()) {
        throw new InputError(`${name} of ${source} is a symbolic link`);
      }
      mkdocsFile = name;
      break;
    }
  }
  let docsDir = 'docs';
  if (mkdocsFile) {
    await copyFile(mkdocsFile);
    const parsed = await readMkdocsYml(path.join(source, mkdocsFile));
    if (typeof parsed.docs_dir === 'string') docsDir = parsed.docs_dir;
  }
  // throws NotAllowedError for '../x' or an absolute path
  const docsPath = resolveSafeChildPath(source, docsDir);
  const docsStat = await fs.lstat(docsPath).catch(() => undefined);
  if (docsStat?.isDirectory()) {
    await walk(path.relative(source, docsPath) || '.');
  } else if (docsStat?.isSymbolicLink()) {
    skippedLinks.push(docsDir);
  }

  // code-unit order (not locale order): the etag must not depend on the locale
  files.sort((a, b) => Number(a.rel > b.rel) - Number(a.rel < b.rel));
  const hash = createHash('sha256').update(`${GENERATOR_REVISION}\n`);
  for (const f of files) hash.update(`${f.rel}\0${f.hash}\n`);
  return { dir: into, etag: hash.digest('hex'), pages, skippedLinks };
}

/**
 * The `dir:` preparer opsdeck uses instead of TechDocs' own. The stock one
 * hands MkDocs the source directory itself: the generator then rewrites the
 * repository's mkdocs.yml in place, and with an empty etag every visit after
 * a minute rebuilds the site. This one copies the site to a temporary
 * directory and uses a hash of its content as the etag, so unchanged docs are
 * not rebuilt (NotModifiedError) and a scheduled build costs a hash.
 */
export class OpsdeckDirectoryPreparer implements PreparerBase {
  private readonly scm: ScmIntegrations;

  constructor(
    private readonly deps: {
      config: Config;
      reader: UrlReaderService;
      logger: LoggerService;
      tracker: BuildTracker;
    },
  ) {
    this.scm = ScmIntegrations.fromConfig(deps.config);
  }

  shouldCleanPreparedDirectory(): boolean {
    return true;
  }

  async prepare(
    entity: Entity,
    options?: PreparerOptions,
  ): Promise<PreparerResponse> {
    const annotation = parseReferenceAnnotation(
      'backstage.io/techdocs-ref',
      entity,
    );
    const { type, target } = transformDirLocation(entity, annotation, this.scm);
    if (type === 'url') {
      // dir: of an entity registered from a URL: read the tree like the stock preparer
      const response = await this.deps.reader.readTree(target, {
        etag: options?.etag,
      });
      const preparedDir = await response.dir();
      this.deps.tracker.prepared(preparedDir, entity, options?.etag);
      return { preparedDir, etag: response.etag };
    }
    const workingDir =
      this.deps.config.getOptionalString('backend.workingDirectory') ??
      os.tmpdir();
    const into = await fs.mkdtemp(
      path.join(await fs.realpath(workingDir), 'opsdeck-techdocs-'),
    );
    let site: CopiedSite;
    try {
      site = await copySite(target, into);
    } catch (error) {
      await fs.rm(into, { recursive: true, force: true });
      throw error;
    }
    if (site.skippedLinks.length) {
      (options?.logger ?? this.deps.logger).warn(
        `Docs of ${
          entity.metadata.name
        }: symbolic links are not published: ${site.skippedLinks.join(', ')}`,
      );
    }
    if (options?.etag && options.etag === site.etag) {
      await fs.rm(into, { recursive: true, force: true });
      throw new NotModifiedError();
    }
    this.deps.tracker.prepared(into, entity, options?.etag, site.pages);
    return { preparedDir: into, etag: site.etag };
  }
}
