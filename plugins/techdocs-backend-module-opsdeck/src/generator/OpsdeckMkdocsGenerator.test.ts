import fs from 'node:fs/promises';
import path from 'node:path';
import {
  buildSite,
  removeTempDirs,
  tempDir,
  writeTree,
} from '../__testUtils__/build';
import { GeneratedBuild } from './OpsdeckMkdocsGenerator';

// These tests run Debian's mkdocs and mkdocs-material (scripts/lib/packages.sh
// installs them for the test command), as the portal does.
jest.setTimeout(120_000);

const REPO_ROOT = path.resolve(__dirname, '../../../..');

afterAll(removeTempDirs);

async function readJson(p: string) {
  return JSON.parse(await fs.readFile(p, 'utf8'));
}

describe('OpsdeckMkdocsGenerator with Debian mkdocs', () => {
  it("builds opsdeck's own docs/ (the opsdeck component's TechDocs)", async () => {
    const { output, site } = await buildSite(REPO_ROOT);

    const metadata = await readJson(
      path.join(output, 'techdocs_metadata.json'),
    );
    expect(metadata.site_name).toBe('opsdeck');
    expect(metadata.site_description).toMatch(/opsdeck/);
    expect(metadata.etag).toBe(site.etag);
    expect(metadata.files).toContain('index.html');
    expect(metadata.files).toContain('architecture/index.html');

    // every Markdown page of docs/ became a page of the site
    const pages = (await fs.readdir(path.join(REPO_ROOT, 'docs'))).filter(f =>
      f.endsWith('.md'),
    );
    expect(site.pages).toBe(pages.length);
    for (const page of pages.filter(p => p !== 'index.md')) {
      expect(metadata.files).toContain(`${page.slice(0, -3)}/index.html`);
    }

    // Material theme, no Google Fonts (an offline portal cannot load them)
    const index = await fs.readFile(path.join(output, 'index.html'), 'utf8');
    expect(index).toContain('md-content');
    expect(index).not.toContain('fonts.googleapis.com');

    // the search index TechDocs' collator reads
    const search = await readJson(
      path.join(output, 'search', 'search_index.json'),
    );
    expect(
      search.docs.some((d: { location: string }) =>
        d.location.startsWith('permissions/'),
      ),
    ).toBe(true);

    // the repository's own mkdocs.yml is left as it is
    expect(
      await fs.readFile(path.join(REPO_ROOT, 'mkdocs.yml'), 'utf8'),
    ).not.toMatch(/markdown_extensions/);
  });

  it('renders the Markdown extensions opsdeck configures in place of techdocs-core', async () => {
    const source = await tempDir();
    await writeTree(source, {
      'mkdocs.yml': 'site_name: Extensions\n',
      'docs/index.md': [
        '# Runbook',
        '',
        '!!! warning "Before you start"',
        '    Drain the node.',
        '',
        '??? note "Details"',
        '    Folded.',
        '',
        '- [x] checked',
        '- [ ] open',
        '',
        '```bash',
        'systemctl restart nginx',
        '```',
        '',
        '=== "Debian"',
        '    apt-get install nginx',
        '',
        '=== "RHEL"',
        '    dnf install nginx',
        '',
        '| a | b |',
        '|---|---|',
        '| 1 | 2 |',
        '',
        'Press ++ctrl+c++, ==marked== and ~~gone~~.',
      ].join('\n'),
    });
    const { output } = await buildSite(source);
    const html = await fs.readFile(path.join(output, 'index.html'), 'utf8');
    expect(html).toContain('class="admonition warning"'); // admonition
    expect(html).toMatch(/<details class="note"/); // pymdownx.details
    expect(html).toContain('task-list-item'); // pymdownx.tasklist
    expect(html).toContain('class="highlight"'); // pymdownx.highlight
    expect(html).toContain('tabbed-set'); // pymdownx.tabbed
    expect(html).toContain('<table>'); // tables
    expect(html).toContain('class="keys"'); // pymdownx.keys
    expect(html).toContain('<mark>marked</mark>'); // pymdownx.mark
    expect(html).toContain('<del>gone</del>'); // pymdownx.tilde
    expect(html).toContain('class="headerlink"'); // toc permalink
  });

  it('keeps what a site configures itself and strips what TechDocs does not allow', async () => {
    const source = await tempDir();
    await writeTree(source, {
      'mkdocs.yml': [
        'site_name: Own config',
        'theme: { name: material, language: zh }',
        'markdown_extensions:',
        '  - toc: { permalink: "#" }',
        // a plugin TechDocs does not allow, and a Python hook: both dropped
        'plugins: [search, macros]',
        'hooks: [evil.py]',
      ].join('\n'),
      'docs/index.md': '# 首页\n\n磁盘已满时怎么办。\n',
      'evil.py': 'open("/tmp/opsdeck-pwned", "w")\n',
    });
    const { output } = await buildSite(source);
    const html = await fs.readFile(path.join(output, 'index.html'), 'utf8');
    expect(html).toContain('lang="zh"');
    expect(html).toMatch(/class="headerlink" href="#[^"]*" title="[^"]*">#</);
    expect(html).toContain('磁盘已满时怎么办');
    await expect(fs.stat('/tmp/opsdeck-pwned')).rejects.toThrow();
  });

  it('writes a default mkdocs.yml from the entity title when the site has none', async () => {
    const source = await tempDir();
    await writeTree(source, { 'docs/index.md': '# Hello\n' });
    // (TechDocs' default mkdocs.yml lists the techdocs-core plugin, which
    // opsdeck replaces)
    const { output } = await buildSite(source);
    const metadata = await readJson(
      path.join(output, 'techdocs_metadata.json'),
    );
    expect(metadata.site_name).toBe('fallback-name');
  });

  it('reports the generation, and a failed one with its error', async () => {
    const builds: GeneratedBuild[] = [];
    const ok = await tempDir();
    await writeTree(ok, {
      'mkdocs.yml': 'site_name: Reported\n',
      'docs/index.md': '# Hi\n',
    });
    await buildSite(ok, async b => {
      builds.push(b);
    });
    expect(builds).toHaveLength(1);
    expect(builds[0].siteName).toBe('Reported');
    expect(builds[0].error).toBeUndefined();

    const broken = await tempDir();
    // docs_dir names a file, not a folder: mkdocs build fails
    await writeTree(broken, {
      'mkdocs.yml': 'site_name: Broken\ndocs_dir: docs/index.md\n',
      'docs/index.md': '# Hi\n',
    });
    await expect(
      buildSite(broken, async b => {
        builds.push(b);
      }),
    ).rejects.toThrow();
    expect(builds[1].error).toBeInstanceOf(Error);
  });
});
