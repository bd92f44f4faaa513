import { InputError } from '@backstage/errors';
import { coded } from '@opsdeck/plugin-opsdeck-node';
import type { HostTarget } from '@opsdeck/plugin-cmdb-common';
import type {
  ConfigKind,
  ConfigVariables,
} from '@opsdeck/plugin-config-common';
import { shellQuote } from '@opsdeck/plugin-remote-node';
import type Handlebars from 'handlebars';
import { parseAllDocuments } from 'yaml';
import type { HostFacts } from '../service/hostFacts';
import { maskSecrets, withSecrets } from './secrets';

/**
 * The template engine: Handlebars in strict mode (a variable that is not
 * defined is an error, not an empty string) without HTML escaping (configs
 * are not HTML). `{{{{raw}}}}…{{{{/raw}}}}` keeps text verbatim (an adopted
 * live file). Made at first use: start-up does not pay for loading it (#15).
 */
let handlebars: typeof Handlebars | undefined;
function engine(): typeof Handlebars {
  if (handlebars) return handlebars;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const made = (require('handlebars') as typeof Handlebars).create();
  // Handlebars' `{{log …}}` prints to the backend's console: variables never go to a log
  made.registerHelper('log', () => {
    throw new Error('the log helper is not available');
  });
  made.registerHelper('raw', function raw(this: unknown, options: any) {
    return options.fn(this);
  });
  made.registerHelper('default', (value: unknown, fallback: unknown) =>
    value === undefined || value === null || value === '' ? fallback : value,
  );
  handlebars = made;
  return made;
}

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
  /** What the CMDB last collected from the host (see hostFacts.ts); empty when never collected. */
  facts: HostFacts;
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

/**
 * What a template sees for one host. A vault reference variable is its
 * secret when `secrets` (credential name → password, taken out at push)
 * has it, else the mask `••••` (previews).
 */
export function renderContext(
  variables: ConfigVariables,
  host: HostTarget,
  facts: HostFacts = {},
  secrets?: ReadonlyMap<string, string>,
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
    vars: withSecrets(hostVariables(variables, host), secrets),
    facts,
  };
}

/** Compiles a template once; InputError naming the problem when it does not parse. */
export function compileTemplate(template: string) {
  try {
    // precompile to surface syntax errors now, not at first render
    engine().precompile(template, { strict: true, noEscape: true });
  } catch (e) {
    throw coded(
      new InputError(`The template does not parse: ${(e as Error).message}`),
      'config-template-invalid',
      { detail: (e as Error).message },
    );
  }
  const fn = engine().compile(template, { strict: true, noEscape: true });
  return (context: RenderContext | Record<string, unknown>) => {
    try {
      return fn(context);
    } catch (e) {
      throw coded(
        new InputError(`The template does not render: ${(e as Error).message}`),
        'config-template-invalid',
        { detail: (e as Error).message },
      );
    }
  };
}

/** Renders a small template (a health-check URL, a command) with a host's context. */
export function renderText(text: string, context: RenderContext): string {
  return compileTemplate(text)(context);
}

type Statement = hbs.AST.Statement;

/** Where the shell is at the end of some text: in quotes, in a comment, or neither. */
type ShellState = { in: '' | "'" | '"' | '#'; prev: string };

/** The shell's state after `text`, from the state at its start. */
function shellStateAfter(text: string, start: ShellState): ShellState {
  let state = start.in;
  let prev = start.prev;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (state === '#') {
      if (c === '\n') state = '';
    } else if (state === "'") {
      if (c === "'") state = '';
    } else if (c === '\\') {
      i++;
    } else if (state === '"') {
      if (c === '"') state = '';
    } else if (c === "'" || c === '"') {
      state = c;
    } else if (c === '#' && /^$|[\s;&|()<>]/.test(prev)) {
      state = '#';
    }
    prev = c;
  }
  return { in: state, prev };
}

const commandError = (why: string) =>
  new InputError(`The health-check command cannot be used: ${why}`);

/**
 * The parts of a script health check: shell text and the paths of the
 * values placed in it. A value may only stand where the shell reads it as
 * one quoted word: outside quotes and here-documents, and only as a plain
 * `{{path}}` (no helper, block or partial). InputError otherwise.
 */
export function parseCommandTemplate(
  text: string,
): Array<{ text: string } | { path: string[] }> {
  let program: hbs.AST.Program;
  try {
    program = engine().parse(text);
  } catch (e) {
    throw commandError((e as Error).message);
  }
  const parts: Array<{ text: string } | { path: string[] }> = [];
  let state: ShellState = { in: '', prev: '' };
  let shell = '';
  for (const node of program.body as Statement[]) {
    if (node.type === 'CommentStatement') continue;
    if (node.type === 'ContentStatement') {
      const value = (node as hbs.AST.ContentStatement).value;
      state = shellStateAfter(value, state);
      shell += value;
      parts.push({ text: value });
      continue;
    }
    const m = node as hbs.AST.MustacheStatement;
    const path = m.path as hbs.AST.PathExpression;
    if (
      node.type !== 'MustacheStatement' ||
      path.type !== 'PathExpression' ||
      path.data ||
      m.params.length > 0 ||
      m.hash
    ) {
      throw commandError(
        `only plain {{path}} values are allowed, not ${node.type}`,
      );
    }
    if (state.in === '#') {
      throw commandError(`{{${path.original}}} is in a comment`);
    }
    if (state.in) {
      throw commandError(
        `{{${path.original}}} is inside quotes; write it unquoted (opsdeck quotes each value)`,
      );
    }
    if (shell.includes('<<')) {
      throw commandError(
        `{{${path.original}}} follows a here-document, where the shell expands it`,
      );
    }
    parts.push({ path: path.parts });
    // a value is a word: a # right after it does not start a comment
    state = { in: '', prev: 'x' };
  }
  return parts;
}

/**
 * Renders a script health check with a host's context: each value becomes
 * one single-quoted shell word, so a hostile host fact or variable is data,
 * never shell code.
 */
export function renderCommand(text: string, context: RenderContext): string {
  return parseCommandTemplate(text)
    .map(part => {
      if ('text' in part) return part.text;
      let value: unknown = context;
      for (const key of part.path) {
        value =
          value !== null &&
          typeof value === 'object' &&
          Object.prototype.hasOwnProperty.call(value, key)
            ? (value as Record<string, unknown>)[key]
            : undefined;
      }
      const name = part.path.join('.');
      if (value === undefined || value === null) {
        throw new InputError(`The health-check command: "${name}" not defined`);
      }
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        throw new InputError(
          `The health-check command: "${name}" is not a single value`,
        );
      }
      return shellQuote(String(value));
    })
    .join('');
}

/** The parser's refusal of `content` as `kind`, or undefined when it parses. */
function syntaxError(kind: ConfigKind, content: string) {
  if (kind === 'json') {
    try {
      JSON.parse(content);
    } catch (e) {
      return coded(
        new InputError(`Not valid JSON: ${(e as Error).message}`),
        'config-syntax-invalid',
        { kind, detail: (e as Error).message },
      );
    }
  }
  if (kind === 'yaml') {
    for (const doc of parseAllDocuments(content)) {
      if (doc.errors.length > 0) {
        return coded(
          new InputError(`Not valid YAML: ${doc.errors[0].message}`),
          'config-syntax-invalid',
          { kind, detail: doc.errors[0].message },
        );
      }
    }
  }
  return undefined;
}

/**
 * The syntax check of the kinds that opsdeck can parse itself (json, yaml);
 * nginx and redis are checked on the host by their own binary. Throws
 * InputError with the parser's message. The parsers quote the text around
 * the error (JSON a few characters, YAML the line cut at 80 with `…`), so a
 * rendering with vault `secrets` is refused with the parser's message on
 * the masked rendering (a cut secret is no whole value to mask), or without
 * a quote when only the secrets' text makes it fail.
 */
export function checkSyntax(
  kind: ConfigKind,
  content: string,
  secrets?: Iterable<string>,
): void {
  const refusal = syntaxError(kind, content);
  if (!refusal) return;
  const values = [...(secrets ?? [])].filter(s => s.length > 0);
  if (values.length === 0) throw refusal;
  throw (
    syntaxError(kind, maskSecrets(content, values)) ??
    coded(
      new InputError(
        `Not valid ${kind.toUpperCase()}: a vault secret's value breaks the syntax (quote it in the template)`,
      ),
      'config-syntax-invalid',
      { kind, detail: 'a vault secret breaks the syntax' },
    )
  );
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
