import fs from 'node:fs';
import path from 'node:path';
import { stockPluginIds } from './stockPluginIds';

type Registrations = { getRegistrations(): { pluginId: string }[] };

describe('stockPluginIds', () => {
  it('names exactly the plugins of the stock features (the bench compares those as Backstage ships them)', () => {
    // features.ts holds dynamic imports, which jest's module runtime cannot run: its package names are read
    const source = fs.readFileSync(path.join(__dirname, 'features.ts'), 'utf8');
    const packages = [...source.matchAll(/import\('([^']+)'\)/g)].map(
      m => m[1],
    );
    expect(packages.length).toBeGreaterThan(10);
    const ids = new Set<string>();
    for (const name of packages) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const feature = require(name).default as Registrations;
      for (const registration of feature.getRegistrations()) {
        ids.add(registration.pluginId);
      }
    }
    expect([...ids].sort()).toEqual([...stockPluginIds].sort());
  });
});
