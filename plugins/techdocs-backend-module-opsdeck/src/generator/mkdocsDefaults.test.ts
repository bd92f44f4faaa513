import {
  OPSDECK_MARKDOWN_EXTENSIONS,
  withOpsdeckDefaults,
} from './mkdocsDefaults';

describe('withOpsdeckDefaults', () => {
  it('gives a bare site the Material theme without web fonts, search and every extension', () => {
    const out = withOpsdeckDefaults({ site_name: 'x' });
    expect(out.theme).toEqual({ name: 'material', font: false });
    expect(out.plugins).toEqual(['search']);
    expect(out.markdown_extensions).toEqual(OPSDECK_MARKDOWN_EXTENSIONS);
  });

  it("keeps the site's own choices and adds only what is missing", () => {
    const out = withOpsdeckDefaults({
      theme: {
        name: 'material',
        palette: { primary: 'teal' },
        font: { text: 'Roboto' },
      },
      plugins: ['techdocs-core', { search: { lang: ['en', 'zh'] } }],
      markdown_extensions: [
        { toc: { permalink: '#' } },
        'markdown.extensions.admonition',
      ],
    });
    expect(out.theme).toEqual({
      name: 'material',
      palette: { primary: 'teal' },
      font: { text: 'Roboto' },
    });
    // techdocs-core (PyPI only) is replaced by these defaults
    expect(out.plugins).toEqual([{ search: { lang: ['en', 'zh'] } }]);
    const exts = out.markdown_extensions as unknown[];
    expect(exts[0]).toEqual({ toc: { permalink: '#' } });
    expect(exts).toContain('markdown.extensions.admonition');
    expect(exts).not.toContain('admonition');
    expect(
      exts.filter(e => typeof e === 'object' && 'toc' in (e as object)),
    ).toHaveLength(1);
    expect(exts).toContain('pymdownx.superfences');
  });

  it('accepts the mapping forms of plugins and markdown_extensions', () => {
    const out = withOpsdeckDefaults({
      plugins: { search: null },
      markdown_extensions: {
        admonition: null,
        'pymdownx.highlight': { linenums: true },
      },
      theme: 'readthedocs',
    });
    expect(out.plugins).toEqual(['search']);
    const exts = out.markdown_extensions as unknown[];
    expect(exts.slice(0, 2)).toEqual([
      'admonition',
      { 'pymdownx.highlight': { linenums: true } },
    ]);
    expect(out.theme).toBe('readthedocs');
  });
});
