#!/usr/bin/env node
// Turns each backend plugin's src/schema/openapi.yaml into src/schema/openapi.generated.ts
// (the server) and, for the backend's frontend package (plugins/<p> beside
// plugins/<p>-backend), src/schema/openapi.client.generated.ts (the client and its wire
// types; see scripts/openapi-client.mjs). A backend whose package.json names another
// package in `opsdeck.openapiClientPackage` (a web library, e.g. plugins/cmdb-react, so that
// other web libraries and frontend plugins may import the client too) gets its client
// there instead. The server file holds
// the spec as a `const` object, so the router (opsdeck-node's createLazyValidatedOpenApiRouter) both validates requests
// against it at run time and types the route handlers at compile time. The router runs the
// plugin's request guard (@opsdeck/plugin-opsdeck-node) before parsing and validation, with
// the per-operation access rules declared beside the spec in src/schema/access.ts.
// A spec may be split: openapi.yaml refers to sibling part files with relative
// `$ref`s (`$ref: ./paths/runs.yaml#/~1runs` for a path item, `$ref:
// ./components/schemas.yaml` for a map); they are inlined before generating. A `#/...`
// ref, in openapi.yaml or in a part, always points into the assembled spec
// (`#/components/schemas/Run`) and is kept as it is.
//   node scripts/openapi-generate.mjs          write the generated files
//   node scripts/openapi-generate.mjs --check  exit 1 when a generated file is stale
//                                              (regenerated from openapi.yaml and every part)
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import yaml from 'js-yaml';
import { createRequire } from 'node:module';
import { clientSource } from './openapi-client.mjs';

// The spec is checked against the OpenAPI schema here, once, with the same validator
// express-openapi-validator runs; the generated router then starts with
// `validateApiSpec: false` (compiling the OpenAPI meta-schema with ajv in every router
// cost seconds of every backend start, #15).
const { OpenAPISchemaValidator } = createRequire(import.meta.url)(
  'express-openapi-validator/dist/framework/openapi.schema.validator.js',
);
const specErrors = spec =>
  new OpenAPISchemaValidator({
    version: spec?.openapi,
    validateApiSpec: true,
  }).validate(spec).errors;

const root = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
);
const check = process.argv.includes('--check');
let stale = 0;

// Inlines every relative file `$ref` (`file.yaml` or `file.yaml#/json/pointer`) below
// `value`, reading files relative to the one that holds the ref; refs must stay inside
// the schema folder. A `$ref` object takes no sibling keys (JSON Reference ignores them;
// refusing them keeps a part from silently losing text). `#/...` refs are left alone.
const bundle = (value, file, schemaDir, chain = []) => {
  if (Array.isArray(value)) {
    return value.map(item => bundle(item, file, schemaDir, chain));
  }
  if (value === null || typeof value !== 'object') return value;
  const ref = value.$ref;
  if (typeof ref === 'string' && !ref.startsWith('#')) {
    const where = path.relative(root, file);
    if (Object.keys(value).length !== 1) {
      throw new Error(`${where}: $ref ${ref} has sibling keys`);
    }
    const [target, fragment = ''] = ref.split('#');
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || path.isAbsolute(target)) {
      throw new Error(`${where}: $ref ${ref} is not a relative file`);
    }
    const part = path.resolve(path.dirname(file), target);
    const inside = path.relative(schemaDir, part);
    if (inside === '..' || inside.startsWith(`..${path.sep}`)) {
      throw new Error(
        `${where}: $ref ${ref} leaves ${path.relative(root, schemaDir)}`,
      );
    }
    const key = `${part}#${fragment}`;
    if (chain.includes(key))
      throw new Error(`${where}: $ref ${ref} is circular`);
    let found = yaml.load(fs.readFileSync(part, 'utf8'));
    if (fragment !== '') {
      if (!fragment.startsWith('/')) {
        throw new Error(
          `${where}: $ref ${ref}: the fragment is not a JSON pointer`,
        );
      }
      for (const token of fragment.slice(1).split('/')) {
        const name = decodeURIComponent(token)
          .replaceAll('~1', '/')
          .replaceAll('~0', '~');
        if (
          found === null ||
          typeof found !== 'object' ||
          !Object.hasOwn(found, name)
        ) {
          throw new Error(`${where}: $ref ${ref} points at nothing`);
        }
        found = found[name];
      }
    }
    return bundle(found, part, schemaDir, [...chain, key]);
  }
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      bundle(v, file, schemaDir, chain),
    ]),
  );
};

// Writes `body` (prettier-formatted) to `target`, or with --check counts it stale.
function emit(target, body) {
  const tmp = `${target}.tmp.ts`;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(tmp, body);
  execFileSync(
    path.join(root, 'node_modules/.bin/prettier'),
    ['--write', tmp],
    { stdio: 'ignore' },
  );
  const formatted = fs.readFileSync(tmp, 'utf8');
  fs.unlinkSync(tmp);
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (current === formatted) return;
  if (check) {
    console.error(
      `stale: ${path.relative(root, target)} (run yarn openapi:generate)`,
    );
    stale++;
  } else {
    fs.writeFileSync(target, formatted);
    console.log(`wrote ${path.relative(root, target)}`);
  }
}

for (const plugin of fs.readdirSync(path.join(root, 'plugins'))) {
  const dir = path.join(root, 'plugins', plugin, 'src', 'schema');
  const source = path.join(dir, 'openapi.yaml');
  if (!fs.existsSync(source)) continue;
  let spec;
  try {
    spec = bundle(yaml.load(fs.readFileSync(source, 'utf8')), source, dir);
  } catch (error) {
    console.error(`unreadable spec: ${error.message}`);
    stale++;
    continue;
  }
  const invalid = specErrors(spec);
  if (invalid.length) {
    console.error(
      `invalid spec: ${path.relative(root, source)}: ${invalid
        .slice(0, 5)
        .map(e => `${e.instancePath || '/'} ${e.message}`)
        .join('; ')}`,
    );
    stale++;
    continue;
  }
  if (!fs.existsSync(path.join(dir, 'access.ts'))) {
    console.error(
      `missing: ${path.relative(
        root,
        path.join(dir, 'access.ts'),
      )} (the access rule of every operation)`,
    );
    stale++;
    continue;
  }
  const body = `// Generated by scripts/openapi-generate.mjs from openapi.yaml; do not edit.
import express from 'express';
import {
  createLazyValidatedOpenApiRouter,
  type RequestGuard,
} from '@opsdeck/plugin-opsdeck-node';
import { access } from './access';

export const spec = ${JSON.stringify(spec, null, 2)} as const;

/**
 * An express router for the spec. Each request passes the plugin's request
 * guard first (authentication and the permission access.ts declares for its
 * operation; every 403 audited), then body parsing, then validation against
 * the spec: a caller without the permission gets 403 whatever they send.
 * The spec itself was checked against the OpenAPI schema when this file was
 * generated (scripts/openapi-generate.mjs); the validator is built on the
 * first request, not at plugin start.
 */
export const createOpenApiRouter = ({
  guard,
  middleware,
  validatorOptions,
}: Partial<Parameters<typeof createLazyValidatedOpenApiRouter>[1]> & {
  guard: RequestGuard;
}) =>
  createLazyValidatedOpenApiRouter<typeof spec>(spec, {
    validatorOptions,
    middleware: [
      guard.middleware(spec, access),
      ...(middleware ?? [express.json()]),
    ],
  });
`;
  emit(path.join(dir, 'openapi.generated.ts'), body);
  const backendPackage = JSON.parse(
    fs.readFileSync(path.join(root, 'plugins', plugin, 'package.json'), 'utf8'),
  );
  const clientPackage = backendPackage.opsdeck?.openapiClientPackage;
  const front = clientPackage
    ? path.join(root, clientPackage)
    : path.join(root, 'plugins', plugin.replace(/-backend$/, ''));
  const frontPackage = path.join(front, 'package.json');
  if (
    plugin.endsWith('-backend') &&
    fs.existsSync(frontPackage) &&
    ['frontend-plugin', 'web-library'].includes(
      JSON.parse(fs.readFileSync(frontPackage, 'utf8')).backstage?.role,
    )
  ) {
    emit(
      path.join(front, 'src', 'schema', 'openapi.client.generated.ts'),
      clientSource({
        spec,
        pluginId: plugin.replace(/-backend$/, ''),
        from: path.relative(root, source),
        sharedTypes: backendPackage.opsdeck?.openapiSharedTypes,
      }),
    );
  }
}
process.exit(stale ? 1 : 0);
