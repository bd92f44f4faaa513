// The client half of scripts/openapi-generate.mjs: turns one assembled (bundled) spec into
// the TypeScript a frontend imports, src/schema/openapi.client.generated.ts in the backend's
// frontend package: every components/schemas entry as an exported type, and one thin client
// class with a method per operation (named by its operationId). A method takes
// `{ path, query, body }` typed from the spec and resolves to the typed JSON answer
// (undefined for 204), or to the raw Response for a non-JSON answer (CSV, downloads,
// event streams). The runtime (URL building, path-segment refusal, fetch, ResponseError
// for any non-2xx answer) is written once, in @opsdeck/plugin-opsdeck-common/client
// (OpenApiClient), which the generated class extends.

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

const key = name => (identifier.test(name) ? name : JSON.stringify(name));

const doc = (text, indent) => {
  if (!text) return '';
  const lines = String(text).trim().replaceAll('*/', '*\\/').split('\n');
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines
    .map(l => `${indent} *${l ? ` ${l}` : ''}`)
    .join('\n')}\n${indent} */\n`;
};

const refName = ref => {
  const match = /^#\/components\/schemas\/([^/]+)$/.exec(ref);
  if (!match) throw new Error(`unsupported $ref ${ref}`);
  return typeName(match[1]);
};

export const typeName = name =>
  name
    .replace(/[^A-Za-z0-9_$]+(.)?/g, (_, c) => (c ? c.toUpperCase() : ''))
    .replace(/^[^A-Za-z_$]/, m => `_${m}`);

const paren = t => (/[|&]/.test(t) ? `(${t})` : t);

/** The TypeScript type of a JSON schema (OpenAPI 3.1 dialect). */
export const tsType = (schema, indent = '') => {
  if (schema === true || schema === undefined || schema === null) {
    return 'unknown';
  }
  if (schema === false) return 'never';
  if (schema.$ref) return refName(schema.$ref);
  const parts = [];
  if (schema.allOf) {
    const rest = { ...schema };
    delete rest.allOf;
    const all = schema.allOf.map(s => paren(tsType(s, indent)));
    if (rest.type || rest.properties) all.push(paren(tsType(rest, indent)));
    return all.join(' & ');
  }
  for (const union of ['anyOf', 'oneOf']) {
    if (schema[union]) {
      return [
        ...new Set(schema[union].map(s => paren(tsType(s, indent)))),
      ].join(' | ');
    }
  }
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map(v => JSON.stringify(v)).join(' | ');
  let types = [];
  if (Array.isArray(schema.type)) types = schema.type;
  else if (schema.type) types = [schema.type];
  else if (schema.properties || schema.additionalProperties) {
    types = ['object'];
  }
  if (types.length === 0) return 'unknown';
  for (const type of types) {
    switch (type) {
      case 'string':
        parts.push('string');
        break;
      case 'integer':
      case 'number':
        parts.push('number');
        break;
      case 'boolean':
        parts.push('boolean');
        break;
      case 'null':
        parts.push('null');
        break;
      case 'array':
        if (schema.prefixItems && schema.items === false) {
          parts.push(
            `[${schema.prefixItems.map(s => tsType(s, indent)).join(', ')}]`,
          );
        } else {
          parts.push(`Array<${tsType(schema.items, indent)}>`);
        }
        break;
      case 'object':
        parts.push(objectType(schema, indent));
        break;
      default:
        throw new Error(`unsupported type ${type}`);
    }
  }
  if (schema.nullable === true) parts.push('null');
  return [...new Set(parts)].join(' | ');
};

const objectType = (schema, indent) => {
  const inner = `${indent}  `;
  const required = new Set(schema.required ?? []);
  const props = Object.entries(schema.properties ?? {}).map(
    ([name, prop]) =>
      `${doc(prop?.description, inner)}${inner}${key(name)}${
        required.has(name) ? '' : '?'
      }: ${tsType(prop, inner)};`,
  );
  const extra = schema.additionalProperties;
  const rest =
    extra && typeof extra === 'object' ? tsType(extra, inner) : undefined;
  if (props.length === 0) {
    if (rest) return `{ [key: string]: ${rest} }`;
    return extra === false
      ? 'Record<string, never>'
      : '{ [key: string]: unknown }';
  }
  const body = `{\n${props.join('\n')}\n${indent}}`;
  return rest ? `${body} & { [key: string]: ${rest} }` : body;
};

const resolveParam = (spec, param) => {
  if (!param.$ref) return param;
  const match = /^#\/components\/parameters\/([^/]+)$/.exec(param.$ref);
  if (!match) throw new Error(`unsupported parameter $ref ${param.$ref}`);
  return spec.components.parameters[match[1]];
};

const resolveResponse = (spec, response) => {
  if (!response?.$ref) return response;
  const match = /^#\/components\/responses\/([^/]+)$/.exec(response.$ref);
  if (!match) throw new Error(`unsupported response $ref ${response.$ref}`);
  return spec.components.responses[match[1]];
};

const paramsType = (params, indent) => {
  const inner = `${indent}  `;
  return `{\n${params
    .map(
      p =>
        `${doc(p.description, inner)}${inner}${key(p.name)}${
          p.required ? '' : '?'
        }: ${tsType(p.schema, inner)};`,
    )
    .join('\n')}\n${indent}}`;
};

const operationMethod = (spec, path, method, item, op) => {
  const params = [...(item.parameters ?? []), ...(op.parameters ?? [])]
    .map(p => resolveParam(spec, p))
    .filter(
      (p, i, all) =>
        all.findLastIndex(q => q.name === p.name && q.in === p.in) === i,
    );
  const fields = [];
  const inner = '      ';
  let anyRequired = false;
  for (const where of ['path', 'query', 'header']) {
    const list = params.filter(p => p.in === where);
    if (list.length === 0) continue;
    const req = list.some(p => p.required);
    anyRequired ||= req;
    fields.push(
      `${inner}${where}${req ? '' : '?'}: ${paramsType(list, inner)};`,
    );
  }
  let bodyKind = 'none';
  if (op.requestBody) {
    const content = op.requestBody.content ?? {};
    const req = op.requestBody.required === true;
    anyRequired ||= req;
    if (content['application/json']) {
      bodyKind = 'application/json';
      fields.push(
        `${inner}body${req ? '' : '?'}: ${tsType(
          content['application/json'].schema,
          inner,
        )};`,
      );
    } else {
      const type = Object.keys(content)[0];
      bodyKind = type;
      fields.push(`${inner}body${req ? '' : '?'}: BodyInit;`);
    }
  }
  const ok = Object.entries(op.responses ?? {})
    .filter(([code]) => /^2/.test(code))
    .map(([code, r]) => [code, resolveResponse(spec, r)]);
  const jsonTypes = [];
  let raw = false;
  let empty = false;
  for (const [, response] of ok) {
    const content = response?.content ?? {};
    if (content['application/json']) {
      jsonTypes.push(tsType(content['application/json'].schema, '    '));
    } else if (Object.keys(content).length > 0) raw = true;
    else empty = true;
  }
  let result;
  let mode;
  if (raw) {
    result = 'Response';
    mode = 'raw';
  } else if (jsonTypes.length > 0) {
    result = [...new Set(jsonTypes)].join(' | ');
    if (empty) result += ' | undefined';
    mode = 'json';
  } else {
    result = 'void';
    mode = 'none';
  }
  const id = op.operationId[0].toLowerCase() + op.operationId.slice(1);
  const summary = [op.summary, op.description].filter(Boolean).join('\n\n');
  const entry = `${doc(`\`${method.toUpperCase()} ${path}\``, '  ')}  ${id}: {
    request: ${fields.length ? `{\n${fields.join('\n')}\n    }` : 'undefined'};
    response: ${result};
  };`;
  const arg =
    fields.length === 0
      ? ''
      : `request${anyRequired ? '' : '?'}: Operations['${id}']['request']`;
  const args = [
    JSON.stringify(method.toUpperCase()),
    JSON.stringify(path),
    JSON.stringify(mode),
  ];
  if (fields.length) args.push('request');
  if (bodyKind !== 'none') args.push(JSON.stringify(bodyKind));
  const body = `${doc(
    `${summary ? `${summary}\n\n` : ''}\`${method.toUpperCase()} ${path}\``,
    '  ',
  )}  ${id}(${arg}): Promise<Operations['${id}']['response']> {
    return this.send(${args.join(', ')});
  }`;
  return { entry, body };
};

/**
 * Schemas that name a concept with one home elsewhere: the client imports
 * that type instead of declaring its own copy (hosts live in cmdb-common).
 * A backend adds its own in package.json, `opsdeck.openapiSharedTypes`:
 * `{ "<schema>": "<package>" }`, or `"<package>#<type>"` where the home names
 * the type differently (the client still exports it under the schema's name).
 */
const SHARED_TYPES = { HostSelector: '@opsdeck/plugin-cmdb-common' };

/** The whole client file for one spec. */
export const clientSource = ({ spec, pluginId, from, sharedTypes = {} }) => {
  const homes = { ...SHARED_TYPES, ...sharedTypes };
  const shared = [];
  const schemas = Object.entries(spec.components?.schemas ?? {}).flatMap(
    ([name, schema]) => {
      if (homes[name]) {
        const [home, type = name] = homes[name].split('#');
        const alias = typeName(name);
        const what = type === alias ? alias : `${type} as ${alias}`;
        shared.push({ home, what, alias });
        return [];
      }
      return [
        `${doc(schema.description ?? schema.title, '')}export type ${typeName(
          name,
        )} = ${tsType(schema, '')};`,
      ];
    },
  );
  const methods = [];
  const entries = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      if (!op.operationId || !identifier.test(op.operationId)) {
        throw new Error(`${method} ${path}: no usable operationId`);
      }
      const { entry, body } = operationMethod(spec, path, method, item, op);
      entries.push(entry);
      methods.push(body);
    }
  }
  return `// Generated by scripts/openapi-generate.mjs from ${from}; do not edit.
import {
  OpenApiClient,
  type OpenApiClientOptions,
} from '@opsdeck/plugin-opsdeck-common/client';
${[...new Set(shared.map(s => s.home))]
  .map(
    home =>
      `import type { ${shared
        .filter(s => s.home === home)
        .map(s => s.what)
        .join(', ')} } from '${home}';\n`,
  )
  .join('')}${
    shared.length
      ? `\nexport type { ${shared.map(s => s.alias).join(', ')} };\n`
      : ''
  }
${schemas.join('\n\n')}

/** Each operation's request (path, query, header, body) and answer, by operationId. */
export type Operations = {
${entries.join('\n')}
};

/**
 * The ${pluginId} backend's API (/api/${pluginId}), one method per operation of its
 * OpenAPI spec. Every non-2xx answer is thrown as a ResponseError.
 */
export class DefaultApiClient extends OpenApiClient {
  constructor(options: OpenApiClientOptions) {
    super(${JSON.stringify(pluginId)}, options);
  }

${methods.join('\n\n')}
}
`;
};
