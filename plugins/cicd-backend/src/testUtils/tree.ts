/**
 * Jenkins' `tree=` query language (hudson.model.Api / TreeString): a comma
 * list of fields, each optionally with nested fields in `[...]` and, for
 * lists, a range `{from,to}`, `{from,}`, `{,to}` or `{n}`. Used by the
 * fixture Jenkins to answer the way a real one does.
 */
export interface TreeNode {
  [field: string]: { children?: TreeNode; range?: [number, number] };
}

export function parseTree(tree: string): TreeNode {
  let i = 0;
  function node(): TreeNode {
    const out: TreeNode = {};
    for (;;) {
      let name = '';
      while (i < tree.length && !',[]{}'.includes(tree[i])) name += tree[i++];
      const entry: TreeNode[string] = {};
      if (tree[i] === '[') {
        i++;
        entry.children = node();
        if (tree[i++] !== ']') throw new Error(`bad tree: ${tree}`);
      }
      if (tree[i] === '{') {
        const end = tree.indexOf('}', i);
        if (end < 0) throw new Error(`bad tree: ${tree}`);
        const spec = tree.slice(i + 1, end);
        i = end + 1;
        const [a, b] = spec.includes(',')
          ? spec.split(',')
          : [spec, String(Number(spec) + 1)];
        entry.range = [
          a ? Number(a) : 0,
          b ? Number(b) : Number.MAX_SAFE_INTEGER,
        ];
      }
      if (name.trim()) out[name.trim()] = entry;
      if (tree[i] === ',') {
        i++;
        continue;
      }
      return out;
    }
  }
  const result = node();
  if (i !== tree.length) throw new Error(`bad tree: ${tree}`);
  return result;
}

/** Applies a parsed tree to a JSON value (`_class` is always kept, as Jenkins does). */
export function applyTree(value: unknown, tree: TreeNode): unknown {
  if (Array.isArray(value)) return value.map(v => applyTree(v, tree));
  if (!value || typeof value !== 'object') return value;
  const src = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if ('_class' in src) out._class = src._class;
  for (const [field, spec] of Object.entries(tree)) {
    if (!(field in src)) continue;
    let v = src[field];
    if (Array.isArray(v) && spec.range)
      v = v.slice(spec.range[0], spec.range[1]);
    out[field] = spec.children ? applyTree(v, spec.children) : v;
  }
  return out;
}
