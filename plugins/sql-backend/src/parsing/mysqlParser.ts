import type { Parser } from 'node-sql-parser';
import { lexMysql, type MyToken, renderTokens } from './mysqlLexer';
import type { MysqlLexicalMode, ParsedStatement } from './types';

let loaded: Parser | undefined;
/** node-sql-parser, required at first use: its grammars took 0.3 s of every start (#15). */
function parser(): Parser {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= new (
    require('node-sql-parser') as typeof import('node-sql-parser')
  ).Parser();
  return loaded;
}

/** node-sql-parser's dialect for the server. */
function dialect(mode: MysqlLexicalMode) {
  return mode.flavor === 'mariadb' ? 'MariaDB' : 'MySQL';
}

/**
 * Parse trees of statement shapes, by the canonical text with literals
 * replaced by sentinels (`null`: the shape cannot be reused). A script of
 * 10,000 generated statements has a handful of shapes; each is parsed once
 * and its tree copied with the statement's own literals put back.
 */
const shapes = new Map<string, any | null>();
const MAX_SHAPES = 5000;
const NUMBER_SENTINEL = 9_100_000_000_000;
const STRING_SENTINEL = (k: number) => `\u00a7ods${k}\u00a7`;
const PLAIN_INT = /^(?:0|[1-9]\d{0,14})$/;
const PLAIN_STRING = /^[^'"\\\r\n\u00a7]*$/;

interface Slot {
  number?: number;
  string?: string;
}

/**
 * The canonical text with sentinels for plain integers and plain strings,
 * and the literal values in order; undefined when nothing can be replaced
 * or the text has adjacent strings or introducers (rendered specially).
 */
function template(tokens: MyToken[]) {
  const slots: Slot[] = [];
  const parts: string[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind === 'string' && tokens[k + 1]?.kind === 'string')
      return undefined;
    if (
      t.kind === 'word' &&
      t.value.startsWith('_') &&
      tokens[k + 1]?.kind === 'string'
    )
      return undefined;
    const space = parts.length && t.spaced ? ' ' : '';
    if (t.kind === 'number' && PLAIN_INT.test(t.raw)) {
      parts.push(`${space}${NUMBER_SENTINEL + slots.length}`);
      slots.push({ number: Number(t.raw) });
    } else if (
      t.kind === 'string' &&
      /^['"]/.test(t.raw) &&
      PLAIN_STRING.test(t.value)
    ) {
      parts.push(`${space}'${STRING_SENTINEL(slots.length)}'`);
      slots.push({ string: t.value });
    } else {
      parts.push(`${space}${t.canon}`);
    }
  }
  return slots.length === 0 ? undefined : { text: parts.join(''), slots };
}

/** A copy of a shape's tree with the statement's literals; undefined when a sentinel is not found exactly once. */
function instantiate(tree: any, slots: Slot[]): any {
  const used = new Array(slots.length).fill(0);
  const copy = (node: any): any => {
    if (typeof node === 'number') {
      const k = Math.abs(node) - NUMBER_SENTINEL;
      if (k >= 0 && k < slots.length && slots[k].number !== undefined) {
        used[k]++;
        return node < 0 ? -slots[k].number! : slots[k].number;
      }
      return node;
    }
    if (typeof node === 'string') {
      if (node.length > 5 && node.charCodeAt(0) === 0xa7) {
        const m = /^\u00a7ods(\d+)\u00a7$/.exec(node);
        if (m && slots[Number(m[1])]?.string !== undefined) {
          used[Number(m[1])]++;
          return slots[Number(m[1])].string;
        }
      }
      return node;
    }
    if (Array.isArray(node)) return node.map(copy);
    if (node && typeof node === 'object') {
      const out: any = {};
      for (const key of Object.keys(node)) out[key] = copy(node[key]);
      return out;
    }
    return node;
  };
  const result = copy(tree);
  return used.every(u => u === 1) ? result : undefined;
}

function astOf(mode: MysqlLexicalMode, canon: string, tokens: MyToken[]) {
  const direct = () => {
    const ast = parser().astify(canon, { database: dialect(mode) });
    const list = Array.isArray(ast) ? ast : [ast];
    if (list.length !== 1) {
      throw new Error(`expected one statement, found ${list.length}`);
    }
    return list[0];
  };
  const t = template(tokens);
  if (!t) return direct();
  const key = `${mode.flavor}\n${t.text}`;
  let tree = shapes.get(key);
  if (tree === undefined) {
    try {
      const ast = parser().astify(t.text, { database: dialect(mode) });
      tree = Array.isArray(ast) && ast.length !== 1 ? null : ast;
      if (Array.isArray(tree)) tree = tree[0];
    } catch {
      tree = null;
    }
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    shapes.set(key, tree);
  }
  if (tree === null) return direct();
  const ast = instantiate(tree, t.slots);
  if (ast !== undefined) return ast;
  shapes.set(key, null);
  return direct();
}

/** Names followed by `(` in the server's view: every function the text calls. */
function calledNames(tokens: MyToken[]): string[] {
  const names = new Set<string>();
  for (let k = 0; k + 1 < tokens.length; k++) {
    const t = tokens[k];
    const n = tokens[k + 1];
    if (
      (t.kind === 'word' || t.kind === 'ident') &&
      n.kind === 'punct' &&
      n.raw === '('
    ) {
      names.add(t.value.toLowerCase());
    }
  }
  return [...names];
}

/**
 * Splits and parses a MySQL/MariaDB script the way the server with `mode`
 * reads it: the lexer resolves quoting and executable comments, and
 * node-sql-parser parses the result. Each statement keeps its original text
 * (what is sent) and the canonical text (what was parsed).
 */
export function parseMysqlScript(
  script: string,
  mode: MysqlLexicalMode,
): ParsedStatement[] {
  return lexMysql(script, mode).map(s => {
    const head = s.tokens
      .filter(t => t.kind === 'word')
      .slice(0, 4)
      .map(t => t.value);
    const base = {
      sql: s.text,
      line: s.line,
      head,
      calledNames: calledNames(s.tokens),
    };
    if (s.error) return { ...base, error: s.error };
    const canonical = renderTokens(s.tokens, 'canon');
    try {
      return { ...base, canonical, ast: astOf(mode, canonical, s.tokens) };
    } catch (error) {
      const message = String((error as Error).message ?? error)
        .split('\n')[0]
        .slice(0, 300);
      return { ...base, canonical, error: message };
    }
  });
}

/** Tokens of one statement (the first of `sql`). */
export function mysqlTokens(sql: string, mode: MysqlLexicalMode): MyToken[] {
  const [first] = lexMysql(sql, mode);
  if (!first || first.error) {
    throw new Error(first?.error ?? 'no statement');
  }
  return first.tokens;
}

/** Parses the canonical rendering of tokens (one statement). */
export function parseMysqlTokens(tokens: MyToken[], mode: MysqlLexicalMode) {
  return astOf(mode, renderTokens(tokens, 'canon'), tokens);
}
