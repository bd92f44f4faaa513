import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import fs from 'node:fs/promises';
import path from 'node:path';
import { removeTempDirs, tempDir, writeTree } from '../__testUtils__/build';
import { BuildTracker } from './BuildTracker';
import { copySite, OpsdeckDirectoryPreparer } from './OpsdeckDirectoryPreparer';

afterAll(removeTempDirs);

function entityAt(dir: string, ref = 'dir:.'): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'shop',
      namespace: 'default',
      uid: 'u1',
      annotations: {
        'backstage.io/managed-by-location': `file:${dir}/catalog-info.yaml`,
        'backstage.io/techdocs-ref': ref,
      },
    },
    spec: { owner: 'ops' },
  };
}

function preparer(tracker = new BuildTracker()) {
  return new OpsdeckDirectoryPreparer({
    config: new ConfigReader({}),
    reader: mockServices.urlReader.mock(),
    logger: mockServices.logger.mock(),
    tracker,
  });
}

describe('copySite', () => {
  it('copies mkdocs.yml and docs_dir only, and hashes what it copied', async () => {
    const src = await tempDir();
    await writeTree(src, {
      'mkdocs.yml': 'site_name: x\ndocs_dir: handbook\n',
      'handbook/index.md': '# a',
      'handbook/runbooks/disk-full.md': '# b',
      'handbook/img/x.png': 'png',
      'node_modules/huge/file.js': 'x',
      'docs/not-this.md': 'x',
    });
    const out = await tempDir();
    const site = await copySite(src, out);
    expect(site.pages).toBe(2);
    const copied = await fs.readdir(out, { recursive: true });
    expect(copied.sort()).toEqual(
      [
        'handbook',
        'handbook/img',
        'handbook/img/x.png',
        'handbook/index.md',
        'handbook/runbooks',
        'handbook/runbooks/disk-full.md',
        'mkdocs.yml',
      ].sort(),
    );

    const again = await copySite(src, await tempDir());
    expect(again.etag).toBe(site.etag);
    await writeTree(src, { 'handbook/runbooks/disk-full.md': '# b changed' });
    expect((await copySite(src, await tempDir())).etag).not.toBe(site.etag);
    // files outside the site do not change its etag
    await writeTree(src, { 'node_modules/huge/file.js': 'y' });
    await writeTree(src, { 'handbook/runbooks/disk-full.md': '# b' });
    expect((await copySite(src, await tempDir())).etag).toBe(site.etag);
  });

  it('never copies symbolic links (a page linked to /etc/passwd stays out)', async () => {
    const src = await tempDir();
    await writeTree(src, {
      'mkdocs.yml': 'site_name: x\n',
      'docs/index.md': '# a',
    });
    await fs.symlink('/etc/passwd', path.join(src, 'docs', 'passwd.md'));
    await fs.symlink('/etc', path.join(src, 'docs', 'etc'));
    const out = await tempDir();
    const site = await copySite(src, out);
    expect(site.skippedLinks.sort()).toEqual(['docs/etc', 'docs/passwd.md']);
    await expect(
      fs.lstat(path.join(out, 'docs', 'passwd.md')),
    ).rejects.toThrow();
    await expect(fs.lstat(path.join(out, 'docs', 'etc'))).rejects.toThrow();
  });

  it('refuses a docs_dir outside the site', async () => {
    const src = await tempDir();
    await writeTree(src, { 'mkdocs.yml': 'site_name: x\ndocs_dir: ../..\n' });
    await expect(copySite(src, await tempDir())).rejects.toThrow(
      /outside|not allowed/i,
    );
    await writeTree(src, { 'mkdocs.yml': 'site_name: x\ndocs_dir: /etc\n' });
    await expect(copySite(src, await tempDir())).rejects.toThrow(
      /outside|not allowed/i,
    );
  });
});

describe('OpsdeckDirectoryPreparer', () => {
  it('prepares a copy, then answers NotModified while the docs are unchanged', async () => {
    const src = await tempDir();
    await writeTree(src, {
      'catalog-info.yaml': 'x',
      'mkdocs.yml': 'site_name: x\n',
      'docs/index.md': '# a',
    });
    const tracker = new BuildTracker();
    const p = preparer(tracker);
    const first = await p.prepare(entityAt(src));
    expect(first.preparedDir).not.toBe(src);
    expect(
      await fs.readFile(path.join(first.preparedDir, 'docs/index.md'), 'utf8'),
    ).toBe('# a');
    expect(p.shouldCleanPreparedDirectory()).toBe(true);
    expect(tracker.take(first.preparedDir)).toEqual({
      entityRef: 'component:default/shop',
      owner: 'group:default/ops',
      isNew: true,
      pages: 1,
    });

    await expect(
      p.prepare(entityAt(src), { etag: first.etag }),
    ).rejects.toMatchObject({ name: 'NotModifiedError' });

    await writeTree(src, { 'docs/index.md': '# b' });
    const second = await p.prepare(entityAt(src), { etag: first.etag });
    expect(second.etag).not.toBe(first.etag);
    expect(tracker.take(second.preparedDir)?.isNew).toBe(false);
  });

  it('refuses a techdocs-ref that leaves the entity location', async () => {
    const src = await tempDir();
    await writeTree(src, { 'catalog-info.yaml': 'x' });
    await expect(
      preparer().prepare(entityAt(src, 'dir:../../etc')),
    ).rejects.toThrow();
  });
});
