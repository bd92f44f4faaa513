/**
 * Reads a submitted command line with the bash grammar and lists every command it would run
 * (inside `$(…)`, backticks, process substitution, pipelines, lists, functions, `eval`,
 * `sh -c`, `sudo`/`env`/`find -exec` wrappers…) and every construct whose effect cannot be seen
 * from the line (a script piped into an interpreter, a heredoc, a dynamic command name…).
 */
import { withSyntaxTree, type SyntaxNode } from '@opsdeck/plugin-remote-node';
import { posix } from 'node:path';
import {
  decodeAnsiC,
  expandBraces,
  joinContinuations,
  scanQuotes,
  unescapeDouble,
  unescapeWord,
} from './lexical';
import type { FoundCommand, FoundConstruct, LineAnalysis } from './model';
import { decodes, interpreterUse, unwrap } from './wrappers';

/** How deep `eval`, `sh -c` and wrappers are followed. */
const MAX_DEPTH = 8;

type Value = {
  value: string;
  dynamic: boolean;
  glob: boolean;
  words?: string[];
};

const DYNAMIC_TYPES = new Set([
  'simple_expansion',
  'expansion',
  'command_substitution',
  'process_substitution',
  'arithmetic_expansion',
  'brace_expression',
]);

/** The value bash gives a word (quotes and escapes removed); `dynamic` when it has expansions. */
function wordValue(node: SyntaxNode): Value {
  const text = node.text;
  switch (node.type) {
    case 'word': {
      const value = unescapeWord(text);
      const unquotedGlob = /(^|[^\\])[*?[]/.test(text);
      const words = expandBraces(value);
      return { value, dynamic: false, glob: unquotedGlob, words };
    }
    case 'number':
    case 'variable_name':
      return { value: text, dynamic: false, glob: false };
    case 'raw_string':
      return { value: text.slice(1, -1), dynamic: false, glob: false };
    case 'ansi_c_string':
      return {
        value: decodeAnsiC(text.slice(2, -1)),
        dynamic: false,
        glob: false,
      };
    case 'string': {
      const inner = text.slice(1, -1);
      const dynamic = node.namedChildren.some(
        c => c && DYNAMIC_TYPES.has(c.type),
      );
      return { value: unescapeDouble(inner), dynamic, glob: false };
    }
    case 'translated_string': {
      const s = node.namedChildren[0];
      return s ? wordValue(s) : { value: '', dynamic: false, glob: false };
    }
    case 'concatenation': {
      let value = '';
      let dynamic = false;
      let glob = false;
      for (const c of node.children) {
        if (!c) continue;
        const v = wordValue(c);
        value += v.value;
        dynamic ||= v.dynamic;
        glob ||= v.glob;
      }
      const braces = /[{}]/.test(text) ? expandBraces(value) : undefined;
      return { value, dynamic, glob, words: braces };
    }
    default:
      if (DYNAMIC_TYPES.has(node.type)) {
        return { value: text, dynamic: true, glob: false };
      }
      // punctuation inside a concatenation ({, }, =) and anything else: as written
      return { value: unescapeWord(text), dynamic: node.isNamed, glob: false };
  }
}

/** Normalises absolute paths (`/usr/../`, `//`, trailing `/`), also after `name=` (dd's `of=`). */
export function normalisePathArg(arg: string): string {
  const norm = (p: string) => {
    const n = posix.normalize(p);
    return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
  };
  if (arg.startsWith('/')) return norm(arg);
  const eq = /^([A-Za-z0-9_-]+=)(\/.*)$/.exec(arg);
  return eq ? eq[1] + norm(eq[2]) : arg;
}

function quoteIfNeeded(arg: string): string {
  if (arg !== '' && !/[\s'"\\]/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

class Analyser {
  readonly commands: FoundCommand[] = [];
  readonly constructs: FoundConstruct[] = [];
  /** Function names defined in the line, for the recursion check. */
  private readonly functionStack: string[] = [];

  constructor(private readonly depth: number) {}

  construct(kind: FoundConstruct['kind'], text: string) {
    this.constructs.push({ kind, text: text.slice(0, 500) });
  }

  /** Walks every node below `node`, finding commands in all of them. */
  walk(node: SyntaxNode, ctx: { stdin?: string; redirects?: string[] } = {}) {
    switch (node.type) {
      case 'command':
        this.command(node, ctx);
        return;
      case 'redirected_statement':
        this.redirected(node, ctx);
        return;
      case 'pipeline':
        this.pipeline(node, ctx);
        return;
      case 'function_definition':
        this.functionDefinition(node);
        return;
      case 'heredoc_redirect':
        this.construct('heredoc', node.text.split('\n')[0]);
        break;
      case 'herestring_redirect':
        this.construct('herestring', node.text);
        break;
      default:
        break;
    }
    for (const c of node.namedChildren) if (c) this.walk(c);
  }

  private redirected(
    node: SyntaxNode,
    ctx: { stdin?: string; redirects?: string[] },
  ) {
    const redirects = [...(ctx.redirects ?? [])];
    let stdin = ctx.stdin;
    for (const r of node.childrenForFieldName('redirect')) {
      if (!r) continue;
      this.walk(r);
      if (r.type === 'heredoc_redirect') stdin = 'heredoc';
      else if (r.type === 'herestring_redirect') stdin = 'herestring';
      else redirects.push(redirectText(r));
    }
    const body = node.childForFieldName('body');
    if (!body) return;
    if (body.type === 'command') {
      this.command(body, { stdin, redirects });
      return;
    }
    if (redirects.length) {
      // a compound command with redirections: `{ …; } >/dev/sda`
      this.addCommand(body.type, [], redirects);
    }
    if (body.type === 'pipeline') this.pipeline(body, { stdin, redirects });
    else this.walk(body);
  }

  private pipeline(
    node: SyntaxNode,
    ctx: { stdin?: string; redirects?: string[] },
  ) {
    const parts = node.namedChildren.filter((c): c is SyntaxNode => !!c);
    let decoded = false;
    parts.forEach((part, i) => {
      let stdin = ctx.stdin;
      if (i > 0) stdin = decoded ? 'decoded' : 'pipe';
      const redirects = i === parts.length - 1 ? ctx.redirects : undefined;
      const before = this.commands.length;
      if (part.type === 'command') this.command(part, { stdin, redirects });
      else if (part.type === 'redirected_statement') {
        this.redirected(part, { stdin, redirects });
      } else this.walk(part);
      const found = this.commands.slice(before);
      decoded = found.some(c => decodes([c.name, ...c.args]));
      if (decoded && i < parts.length - 1) {
        this.construct('decode-pipe', node.text);
      }
    });
  }

  private functionDefinition(node: SyntaxNode) {
    const name = node.childForFieldName('name')?.text ?? '';
    const before = this.commands.length;
    this.functionStack.push(name);
    const body = node.childForFieldName('body');
    if (body) this.walk(body);
    this.functionStack.pop();
    if (this.commands.slice(before).some(c => c.name === name)) {
      this.construct('recursive-function', node.text);
    }
  }

  private command(
    node: SyntaxNode,
    ctx: { stdin?: string; redirects?: string[] },
  ) {
    // substitutions anywhere in the command run first: walk every part
    for (const c of node.namedChildren) {
      if (c && c.type !== 'command_name') this.walk(c);
    }
    const nameNode = node.childForFieldName('name');
    if (!nameNode) return;
    for (const c of nameNode.namedChildren) if (c) this.walk(c);
    const redirects = [...(ctx.redirects ?? [])];
    let stdin = ctx.stdin;
    for (const r of node.childrenForFieldName('redirect')) {
      if (!r) continue;
      if (r.type === 'herestring_redirect') stdin = 'herestring';
      else if (r.type === 'heredoc_redirect') stdin = 'heredoc';
      else redirects.push(redirectText(r));
    }
    const nameValue = wordValue(nameNode.namedChildren[0] ?? nameNode);
    const args: string[] = [];
    for (const a of node.childrenForFieldName('argument')) {
      if (!a) continue;
      const v = wordValue(a);
      args.push(...(v.words ?? [v.value]).map(normalisePathArg));
    }
    if (nameValue.dynamic || nameValue.glob || nameValue.words) {
      this.construct('dynamic-command', node.text);
      return;
    }
    this.judgeArgv([nameValue.value, ...args], redirects, stdin, node.text);
  }

  /** Records a command and follows what it runs (wrappers, eval, sh -c, interpreters). */
  private judgeArgv(
    argv: string[],
    redirects: string[],
    stdin: string | undefined,
    source: string,
  ) {
    const name = posix.basename(posix.normalize(argv[0])) || argv[0];
    const args = argv.slice(1);
    const full = [name, ...args];
    this.addCommand(name, args, redirects);
    if (this.depth >= MAX_DEPTH) {
      this.construct('eval', source);
      return;
    }
    if (name === 'eval') {
      this.shellString(args.join(' '), source, 'eval');
      return;
    }
    if (name === 'fc' && !args.some(a => /^-[a-zA-Z]*[ls]/.test(a))) {
      this.construct('history-edit', source);
    }
    if (name === 'alias') {
      for (const a of args) {
        const eq = a.indexOf('=');
        if (eq > 0) this.shellString(a.slice(eq + 1), source, 'eval');
      }
    }
    const inner = unwrap(full);
    if (inner?.kind === 'argv') {
      this.judgeArgv(inner.argv, redirects, stdin, source);
      return;
    }
    if (inner?.kind === 'shell') {
      this.shellString(inner.source, source, 'interpreter-code');
      return;
    }
    const use = interpreterUse(full);
    if (!use) return;
    if (use.kind === 'shell') {
      this.shellString(use.source, source, 'interpreter-code');
    } else if (use.kind === 'code') {
      this.construct('interpreter-code', source);
    } else if (use.kind === 'stdin' && stdin) {
      this.construct('interpreter-stdin', source);
    }
  }

  /** Parses a command string that will run as shell code (eval, sh -c, su -c, ssh host cmd). */
  private shellString(
    text: string,
    source: string,
    hidden: 'eval' | 'interpreter-code',
  ) {
    if (/\$|`/.test(text)) {
      // text only known when it runs (`eval "$x"`): what the parse shows is not all there is
      this.construct(hidden, source);
    }
    const inner = analyse(text, this.depth + 1);
    this.commands.push(...inner.commands);
    this.constructs.push(...inner.constructs);
    if (inner.status !== 'ok') this.construct(hidden, source);
  }

  addCommand(name: string, args: string[], redirects: string[]) {
    const text = [name, ...args.map(quoteIfNeeded), ...redirects].join(' ');
    this.commands.push({ name, args, redirects, text });
  }
}

function redirectText(node: SyntaxNode): string {
  const dest = node.childForFieldName('destination');
  const head = dest
    ? node.text.slice(0, dest.startIndex - node.startIndex)
    : node.text;
  const target = dest ? normalisePathArg(wordValue(dest).value) : '';
  return `${head.replace(/\s+/g, '')}${target}`;
}

function hasMissingOrError(node: SyntaxNode): {
  missingAtEnd: boolean;
  heredoc: boolean;
} {
  let missingAtEnd = false;
  let heredoc = false;
  const end = node.endIndex;
  const visit = (n: SyntaxNode) => {
    if (n.isMissing && n.startIndex >= end) missingAtEnd = true;
    if (n.type === 'heredoc_start' && n.parent?.type === 'ERROR')
      heredoc = true;
    if (
      n.type === 'heredoc_redirect' &&
      !n.children.some(c => c?.type === 'heredoc_end')
    ) {
      heredoc = true;
    }
    if (!n.hasError) return;
    for (const c of n.children) if (c) visit(c);
  };
  visit(node);
  return { missingAtEnd, heredoc };
}

function analyse(source: string, depth: number): LineAnalysis {
  const scan = scanQuotes(source);
  const text = joinContinuations(source).replace(/\s+$/, '');
  const analyser = new Analyser(depth);
  return withSyntaxTree(text, root => {
    analyser.walk(root);
    const found = {
      commands: analyser.commands,
      constructs: analyser.constructs,
    };
    if (scan.history && depth === 0) {
      return {
        status: 'history',
        reason: `History expansion (${scan.history}) is not allowed here: type the command out`,
        ...found,
      };
    }
    if (!root.hasError) return { status: 'ok', ...found };
    const { missingAtEnd, heredoc } = hasMissingOrError(root);
    if (scan.continued || scan.unterminated || missingAtEnd || heredoc) {
      return { status: 'incomplete', ...found };
    }
    return {
      status: 'unparseable',
      reason: 'The shell grammar cannot read this line',
      ...found,
    };
  });
}

/**
 * Reads a command line (one or more lines the shell reads as one, without the final Enter).
 * The grammar must be loaded (`loadShellSyntax()`).
 */
export function analyseLine(text: string): LineAnalysis {
  return analyse(text, 0);
}
