import { InputError } from '@backstage/errors';
import type { HostTarget } from '@opsdeck/plugin-cmdb-common';
import type {
  ConfigKind,
  ConfigVariables,
} from '@opsdeck/plugin-config-common';
import Handlebars from 'handlebars';
import { parseAllDocuments } from 'yaml';

/**
 * The template engine: Handlebars in strict mode (a variable that is not
 * defined is an error, not an empty string) without HTML escaping (configs
 * are not HTML). `{{{{raw}}}}…{{{{/raw}}}}` keeps text verbatim (an adopted
 * live file).
 */
const engine = Handlebars.create();
engine.registerHelper('raw', function raw(this: unknown, options: any) {
  return options.fn(this);
});
engine.registerHelper('default', (value: unknown, fallback: unknown) =>
  value === undefined || value === null || value === '' ? fallback : value,
);

/** What a template sees for one host. */
export type RenderContext = {
  host: {
    name: string;
    ref: string;
    address: string;
    port: number;
    environment?: string;
    owner?: string;
    system?: string;
    tags: string[];
  };
  /** defaults < environment < host */
  vars: Record<string, unknown>;
};

/** The variables of one host: defaults, then its environment's, then its own. */
export function hostVariables(
  variables: ConfigVariables,
  host: Pick<HostTarget, 'entityRef' | 'name' | 'environment'>,
): Record<string, unknown> {
  const hostVars =
    variables.hosts?.[host.entityRef] ?? variables.hosts?.[host.name] ?? {};
  return {
    ...(variables.defaults ?? {}),
    ...(host.environment
      ? variables.environments?.[host.environment] ?? {}
      : {}),
    ...hostVars,
  };
}

export function renderContext(
  variables: ConfigVariables,
  host: HostTarget,
): RenderContext {
  return {
    host: {
      name: host.name,
      ref: host.entityRef,
      address: host.address,
      port: host.port,
      environment: host.environment,
      owner: host.owner,
      system: host.system,
      tags: host.tags,
    },
    vars: hostVariables(variables, host),
  };
}

/** Compiles a template once; InputError naming the problem when it does not parse. */
export function compileTemplate(template: string) {
  try {
    // precompile to surface syntax errors now, not at first render
    engine.precompile(template, { strict: true, noEscape: true });
  } catch (e) {
    throw new InputError(
      `The template does not parse: ${(e as Error).message}`,
    );
  }
  const fn = engine.compile(template, { strict: true, noEscape: true });
  return (context: RenderContext | Record<string, unknown>) => {
    try {
      return fn(context);
    } catch (e) {
      throw new InputError(
        `The template does not render: ${(e as Error).message}`,
      );
    }
  };
}

/** Renders a small template (a health-check URL, a command) with a host's context. */
export function renderText(text: string, context: RenderContext): string {
  return compileTemplate(text)(context);
}

/**
 * The syntax check of the kinds that opsdeck can parse itself (json, yaml);
 * nginx and redis are checked on the host by their own binary. Throws
 * InputError with the parser's message.
 */
export function checkSyntax(kind: ConfigKind, content: string): void {
  if (kind === 'json') {
    try {
      JSON.parse(content);
    } catch (e) {
      throw new InputError(`Not valid JSON: ${(e as Error).message}`);
    }
  }
  if (kind === 'yaml') {
    for (const doc of parseAllDocuments(content)) {
      if (doc.errors.length > 0) {
        throw new InputError(`Not valid YAML: ${doc.errors[0].message}`);
      }
    }
  }
}

/** Wraps a live file as a template that renders to exactly that text. */
export function verbatimTemplate(content: string): string {
  if (!content.includes('{{')) return content;
  if (content.includes('{{{{/raw}}}}')) {
    throw new InputError(
      'The live file contains {{{{/raw}}}} and cannot be kept verbatim',
    );
  }
  return `{{{{raw}}}}${content}{{{{/raw}}}}`;
}
