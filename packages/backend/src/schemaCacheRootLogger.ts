/**
 * The root logger of src/partial.ts (test backends only): Backstage's own
 * rootLogger factory (@backstage/backend-defaults 0.19, rootLoggerServiceFactory),
 * with one difference: the config schema it takes the secrets to redact
 * from is read from the file `OPSDECK_CONFIG_SCHEMA_CACHE` names when that
 * file exists, and written there after it is collected. Collecting it
 * compiles every workspace package's config.d.ts with TypeScript (5-8 s of
 * each start); a test that starts backends many times (src/crash/) collects
 * it once. The redactions are the same: the same schema, serialized by
 * config-loader itself.
 */
import {
  createServiceFactory,
  coreServices,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { createConfigSecretEnumerator } from '@backstage/backend-defaults/rootConfig';
import { WinstonLogger } from '@backstage/backend-defaults/rootLogger';
import { loadConfigSchema } from '@backstage/config-loader';
import {
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

type Level = 'error' | 'warn' | 'info' | 'debug';
const LEVELS: Level[] = ['error', 'warn', 'info', 'debug'];

/** backend.logger, read as backend-defaults' getRootLoggerConfig does. */
function rootLoggerConfig(config: Config) {
  const overrides = config
    .getOptionalConfigArray('backend.logger.overrides')
    ?.map((override, i) => {
      const level = override.getString('level') as Level;
      if (!LEVELS.includes(level)) {
        throw new Error(
          `Invalid config at backend.logger.overrides[${i}].level, '${level}' is not a valid logging level, must be one of 'error', 'warn', 'info' or 'debug'.`,
        );
      }
      return { matchers: override.getConfig('matchers').get<any>(), level };
    });
  return {
    level: config.getOptionalString('backend.logger.level'),
    meta: config.getOptionalConfig('backend.logger.meta')?.get<any>(),
    overrides,
    redactAllowlist: config.getOptionalStringArray(
      'backend.logger.redactAllowlist',
    ),
  };
}

/**
 * The names of the workspace's packages (what @manypkg/get-packages lists
 * for createConfigSecretEnumerator): the repository's workspaces are
 * `dir/*` patterns.
 */
function workspacePackageNames(): string[] {
  let root = process.cwd();
  let workspaces: unknown;
  for (;;) {
    const file = path.join(root, 'package.json');
    if (existsSync(file)) {
      workspaces = JSON.parse(readFileSync(file, 'utf8')).workspaces;
      if (workspaces) break;
    }
    const parent = path.dirname(root);
    if (parent === root) throw new Error('No workspace root above the backend');
    root = parent;
  }
  const patterns = Array.isArray(workspaces)
    ? workspaces
    : (workspaces as { packages: string[] }).packages;
  return patterns.flatMap((pattern: string) => {
    if (!pattern.endsWith('/*') || pattern.slice(0, -2).includes('*')) {
      throw new Error(`Unsupported workspace pattern ${pattern}`);
    }
    const dir = path.join(root, pattern.slice(0, -2));
    return readdirSync(dir)
      .map(name => path.join(dir, name, 'package.json'))
      .filter(file => existsSync(file))
      .map(file => JSON.parse(readFileSync(file, 'utf8')).name as string);
  });
}

async function configSchema(
  cacheFile: string,
  warn: (message: string) => void,
) {
  if (existsSync(cacheFile)) {
    return loadConfigSchema({
      serialized: JSON.parse(readFileSync(cacheFile, 'utf8')),
    });
  }
  // what createConfigSecretEnumerator loads when it is given no schema
  const schema = await loadConfigSchema({
    dependencies: workspacePackageNames(),
    onSchemaError: error => warn(error.message),
  });
  const tmp = `${cacheFile}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify(schema.serialize()));
  renameSync(tmp, cacheFile);
  return schema;
}

/** The root logger whose config schema is cached in `cacheFile` (see above). */
export function schemaCacheRootLogger(cacheFile: string) {
  return createServiceFactory({
    service: coreServices.rootLogger,
    deps: { config: coreServices.rootConfig },
    async factory({ config }) {
      const own = rootLoggerConfig(config);
      const logger = WinstonLogger.create({
        meta: { service: 'backstage', ...own.meta },
        level: process.env.LOG_LEVEL || own.level || 'info',
        // WinstonLogger's defaults are the factory's format and transport
      });
      const secretEnumerator = await createConfigSecretEnumerator({
        logger,
        schema: await configSchema(cacheFile, m => logger.warn(m)),
      });
      const redactions = () => {
        const allowlist = new Set(
          rootLoggerConfig(config).redactAllowlist?.map(a => a.trim()),
        );
        return [...secretEnumerator(config)].filter(
          s => !allowlist.has(s.trim()),
        );
      };
      logger.addRedactions(redactions());
      config.subscribe?.(() => logger.addRedactions(redactions()));
      logger.setLevelOverrides(own.overrides ?? []);
      config.subscribe?.(() =>
        logger.setLevelOverrides(rootLoggerConfig(config).overrides ?? []),
      );
      return logger;
    },
  });
}
