/**
 * The bash grammar opsdeck reads shell with (the bastion judges command lines with it, script
 * probes are refused when it cannot parse them): tree-sitter-bash (the grammar GitHub
 * and editors use, maintained in tree-sitter/tree-sitter-bash) compiled to WebAssembly, run by
 * web-tree-sitter. Loaded once, lazily (the first session that needs it waits for it; plugin
 * start-up does not).
 */
import { readFile } from 'node:fs/promises';
import type { Node as SyntaxNode, Parser as TsParser } from 'web-tree-sitter';

export type { SyntaxNode };

let loading: Promise<TsParser> | undefined;
let loaded: TsParser | undefined;

/** Loads the grammar (once); later calls resolve at once. */
export function loadShellSyntax(): Promise<TsParser> {
  if (!loading) {
    loading = (async () => {
      // required here, not at module load: only sessions pay for the WebAssembly start-up
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Parser, Language } =
        require('web-tree-sitter') as typeof import('web-tree-sitter');
      await Parser.init();
      // the bytes, not the path: loading by path takes a dynamic import that Jest's VM lacks
      const bash = await Language.load(
        await readFile(
          require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'),
        ),
      );
      const parser = new Parser();
      parser.setLanguage(bash);
      loaded = parser;
      return parser;
    })();
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

/** True once `loadShellSyntax()` finished. */
export function shellSyntaxLoaded(): boolean {
  return loaded !== undefined;
}

/**
 * Parses bash source and hands the syntax tree to `use` (the tree is freed afterwards).
 * Throws when the grammar is not loaded yet.
 */
export function withSyntaxTree<T>(
  source: string,
  use: (root: SyntaxNode) => T,
): T {
  if (!loaded) throw new Error('The shell grammar is not loaded');
  const tree = loaded.parse(source);
  if (!tree) throw new Error('The shell grammar gave no tree');
  try {
    return use(tree.rootNode);
  } finally {
    tree.delete();
  }
}

/** Where shell source does not parse (1-based line and column). */
export interface ShellSyntaxError {
  line: number;
  column: number;
  /** True when the grammar expected something that is not there (MISSING). */
  missing: boolean;
}

/**
 * The places `source` does not parse as bash (tree-sitter ERROR and MISSING
 * nodes, in source order, at most `max`); empty when it parses. Loads the
 * grammar when needed. POSIX sh is read with the same grammar (bash's is a
 * superset): what opsdeck cannot parse is refused, not guessed at.
 */
export async function shellSyntaxErrors(
  source: string,
  max = 5,
): Promise<ShellSyntaxError[]> {
  await loadShellSyntax();
  return withSyntaxTree(source, root => {
    const found: ShellSyntaxError[] = [];
    if (!root.hasError) return found;
    const stack: SyntaxNode[] = [root];
    while (stack.length && found.length < max) {
      const node = stack.pop()!;
      if (node.isError || node.isMissing) {
        found.push({
          line: node.startPosition.row + 1,
          column: node.startPosition.column + 1,
          missing: node.isMissing,
        });
        continue;
      }
      if (!node.hasError) continue;
      const children = node.children.filter((c): c is SyntaxNode => !!c);
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    }
    return found;
  });
}
