import { MKDOCS_SCHEMA } from '@backstage/plugin-techdocs-node/alpha';
import fs from 'node:fs/promises';
import * as yaml from 'js-yaml';

/**
 * The Markdown extensions opsdeck turns on for every docs site, in place of
 * the PyPI-only `mkdocs-techdocs-core` plugin (which cannot be installed from
 * Debian). All of them ship in Debian bookworm: Python-Markdown's own
 * (python3-markdown) and PyMdown Extensions (python3-pymdownx). Emoji,
 * PlantUML and Graphviz are left out: they need Python objects in mkdocs.yml,
 * which TechDocs strips, or programs that are not installed.
 */
export const OPSDECK_MARKDOWN_EXTENSIONS: ReadonlyArray<
  string | Record<string, Record<string, unknown>>
> = [
  'abbr',
  'admonition',
  'attr_list',
  'def_list',
  'footnotes',
  'md_in_html',
  'meta',
  'tables',
  { toc: { permalink: true } },
  'pymdownx.betterem',
  'pymdownx.caret',
  'pymdownx.details',
  { 'pymdownx.highlight': { linenums: false } },
  'pymdownx.inlinehilite',
  'pymdownx.keys',
  'pymdownx.magiclink',
  'pymdownx.mark',
  'pymdownx.smartsymbols',
  'pymdownx.superfences',
  { 'pymdownx.tabbed': { alternate_style: true } },
  { 'pymdownx.tasklist': { custom_checkbox: true } },
  'pymdownx.tilde',
];

type MkdocsYml = Record<string, unknown>;

function extensionName(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (entry && typeof entry === 'object' && !Array.isArray(entry)) {
    const keys = Object.keys(entry);
    return keys.length === 1 ? keys[0] : undefined;
  }
  return undefined;
}

function pluginName(entry: unknown): string | undefined {
  return extensionName(entry);
}

/**
 * opsdeck's defaults merged into a parsed mkdocs.yml. What the site sets
 * itself wins: a theme, an extension's own options, a plugin list.
 *
 * - theme: Material (Debian's mkdocs-material) without Google Fonts, which
 *   an offline portal cannot load;
 * - plugins: `search` is always there (TechDocs search reads the index it
 *   writes), whatever else the site lists; `techdocs-core`, which many
 *   Backstage sites list and which this replaces, is dropped;
 * - markdown_extensions: {@link OPSDECK_MARKDOWN_EXTENSIONS} that the site
 *   does not configure itself.
 *
 * Returns a new object; the input is not changed.
 */
export function withOpsdeckDefaults(input: MkdocsYml): MkdocsYml {
  const out: MkdocsYml = { ...input };

  if (out.theme === undefined) {
    out.theme = { name: 'material', font: false };
  } else if (typeof out.theme === 'string') {
    out.theme =
      out.theme === 'material' ? { name: 'material', font: false } : out.theme;
  } else if (
    out.theme &&
    typeof out.theme === 'object' &&
    !Array.isArray(out.theme)
  ) {
    const theme = out.theme as Record<string, unknown>;
    if (theme.name === 'material' && !('font' in theme)) {
      out.theme = { ...theme, font: false };
    }
  }

  const plugins = Array.isArray(out.plugins) ? [...out.plugins] : [];
  if (out.plugins && !Array.isArray(out.plugins)) {
    // mapping form: { search: {...}, ... }
    for (const [name, conf] of Object.entries(
      out.plugins as Record<string, unknown>,
    )) {
      plugins.push(conf === null ? name : { [name]: conf });
    }
  }
  // techdocs-core cannot be installed (PyPI only); what it configured is here
  const kept = plugins.filter(p => pluginName(p) !== 'techdocs-core');
  if (!kept.some(p => pluginName(p) === 'search')) {
    kept.unshift('search');
  }
  out.plugins = kept;

  let extensions: unknown[] = [];
  if (Array.isArray(out.markdown_extensions)) {
    extensions = [...out.markdown_extensions];
  } else if (
    out.markdown_extensions &&
    typeof out.markdown_extensions === 'object'
  ) {
    extensions = Object.entries(
      out.markdown_extensions as Record<string, unknown>,
    ).map(([name, conf]) => (conf === null ? name : { [name]: conf }));
  }
  const present = new Set(
    extensions.map(extensionName).filter((n): n is string => !!n),
  );
  for (const ext of OPSDECK_MARKDOWN_EXTENSIONS) {
    const name = extensionName(ext)!;
    // 'markdown.extensions.toc' is the same extension as 'toc'
    if (present.has(name) || present.has(`markdown.extensions.${name}`)) {
      continue;
    }
    extensions.push(ext);
  }
  out.markdown_extensions = extensions;
  return out;
}

/** Reads an mkdocs.yml with the MkDocs YAML schema (unknown tags survive as such). */
export async function readMkdocsYml(path: string): Promise<MkdocsYml> {
  const parsed = yaml.load(await fs.readFile(path, 'utf8'), {
    schema: MKDOCS_SCHEMA,
  });
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${path} is not an MkDocs configuration (not a mapping)`);
  }
  return parsed as MkdocsYml;
}

/** Rewrites mkdocs.yml at `path` with opsdeck's defaults merged in. */
export async function applyOpsdeckDefaults(path: string): Promise<MkdocsYml> {
  const patched = withOpsdeckDefaults(await readMkdocsYml(path));
  await fs.writeFile(
    path,
    yaml.dump(patched, { schema: MKDOCS_SCHEMA }),
    'utf8',
  );
  return patched;
}
