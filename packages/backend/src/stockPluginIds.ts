/**
 * The plugin ids of the stock features (features.ts; kept apart so that src/partial.ts
 * can read them without loading those features): the databases the bench's bare backend has too.
 * Every other plugin's SQLite file runs in WAL from its first statement (index.ts).
 */
export const stockPluginIds: ReadonlySet<string> = new Set([
  'app',
  'proxy',
  'scaffolder',
  'techdocs',
  'auth',
  'catalog',
  'permission',
  'search',
  'user-settings',
  'notifications',
  'signals',
]);
