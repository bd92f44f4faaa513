import type { Entity } from '@backstage/catalog-model';
import type { JsonObject } from '@backstage/types';

/**
 * Templates in the reader's language. Backstage's scaffolder has no i18n for
 * templates, so opsdeck's templates carry their other languages themselves:
 *
 * - `metadata.annotations`: `opsdeck.io/title.<lang>` and
 *   `opsdeck.io/description.<lang>` (the template list, the wizard's header);
 * - each parameter step and each field: `ui:<lang>` with `title`,
 *   `description` and, for an enum, `enumNames` (the scaffolder's form ignores
 *   `ui:` keys it does not know; the backend's JSON-schema check too).
 *
 * The portal swaps these in when it reads templates (catalog and scaffolder
 * API wrappers in this module); English stays in the usual fields.
 */

const titleKey = (language: string) => `opsdeck.io/title.${language}`;
const descriptionKey = (language: string) =>
  `opsdeck.io/description.${language}`;

function isTemplate(entity: unknown): entity is Entity {
  const e = entity as Entity | undefined;
  return (
    !!e &&
    typeof e === 'object' &&
    typeof e.kind === 'string' &&
    e.kind.toLocaleLowerCase('en-US') === 'template' &&
    !!e.metadata
  );
}

/** A Template entity with its title and description in `language`. */
export function localizeTemplateEntity<T>(entity: T, language?: string): T {
  if (!language || !isTemplate(entity)) return entity;
  const annotations = entity.metadata.annotations ?? {};
  const title = annotations[titleKey(language)];
  const description = annotations[descriptionKey(language)];
  if (!title && !description) return entity;
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      ...(title ? { title } : {}),
      ...(description ? { description } : {}),
    },
  };
}

/**
 * Every Template entity in a catalog API answer (an entity, a list, or an
 * object with `items` / `entities`) localized; anything else as it was.
 */
export function localizeCatalogResult<T>(result: T, language?: string): T {
  if (!language || !result || typeof result !== 'object') return result;
  if (Array.isArray(result)) {
    return result.map(e => localizeTemplateEntity(e, language)) as T;
  }
  if (isTemplate(result)) return localizeTemplateEntity(result, language);
  const r = result as Record<string, unknown>;
  const out: Record<string, unknown> = { ...r };
  let changed = false;
  for (const field of ['items', 'entities']) {
    if (Array.isArray(r[field])) {
      out[field] = (r[field] as unknown[]).map(e =>
        localizeTemplateEntity(e, language),
      );
      changed = true;
    }
  }
  return changed ? (out as T) : result;
}

/**
 * What a catalog API method answered, localized when it arrives: a promise of
 * an answer, or pages of entities streamed (`streamEntities`, which the
 * catalog's entity lists, the scaffolder's template list among them, read).
 */
export function localizeCatalogAnswer(
  answer: unknown,
  language: () => string | undefined,
): unknown {
  if (answer instanceof Promise) {
    return answer.then(r => localizeCatalogResult(r, language()));
  }
  const stream = answer as AsyncIterable<unknown> | undefined;
  if (stream && typeof stream[Symbol.asyncIterator] === 'function') {
    return (async function* localizedPages() {
      for await (const page of stream) {
        yield localizeCatalogResult(page, language());
      }
    })();
  }
  return answer;
}

type Texts = { title?: string; description?: string; enumNames?: string[] };

function textsOf(node: JsonObject, language: string): Texts | undefined {
  const texts = node[`ui:${language}`];
  return texts && typeof texts === 'object' && !Array.isArray(texts)
    ? (texts as Texts)
    : undefined;
}

function localizeNode(node: JsonObject, language: string): JsonObject {
  const texts = textsOf(node, language);
  const out: JsonObject = { ...node };
  if (texts?.title) out.title = texts.title;
  if (texts?.description) out.description = texts.description;
  if (texts?.enumNames && Array.isArray(node.enum)) {
    out['ui:enumNames'] = texts.enumNames;
  }
  const properties = node.properties;
  if (
    properties &&
    typeof properties === 'object' &&
    !Array.isArray(properties)
  ) {
    out.properties = Object.fromEntries(
      Object.entries(properties).map(([name, field]) => [
        name,
        field && typeof field === 'object' && !Array.isArray(field)
          ? localizeNode(field as JsonObject, language)
          : field,
      ]),
    );
  }
  return out;
}

/** The shape of the scaffolder's parameter schema this module touches. */
export interface ParameterSchemaLike {
  title: string;
  description?: string;
  steps: Array<{ title: string; description?: string; schema: JsonObject }>;
}

/**
 * The wizard's parameter schema in `language`: step and field texts from
 * their `ui:<lang>` entries, the title and description from the template's
 * annotations (when the entity is given).
 */
export function localizeParameterSchema<T extends ParameterSchemaLike>(
  schema: T,
  language: string | undefined,
  template?: Entity,
): T {
  if (!language) return schema;
  const named = template
    ? localizeTemplateEntity(template, language)
    : undefined;
  return {
    ...schema,
    title: named?.metadata.title ?? schema.title,
    description: named?.metadata.description ?? schema.description,
    steps: schema.steps.map(step => {
      const texts = textsOf(step.schema, language);
      return {
        ...step,
        title: texts?.title ?? step.title,
        description: texts?.description ?? step.description,
        schema: localizeNode(step.schema, language),
      };
    }),
  };
}
