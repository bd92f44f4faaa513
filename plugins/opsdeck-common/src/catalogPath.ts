/**
 * The catalog page of an entity, `/catalog/<namespace>/<kind>/<name>`: each
 * part URL-encoded, the kind lower-cased as the catalog's routes are. A ref
 * follows Backstage's grammar `[kind:][namespace/]name`; a part it leaves out
 * comes from `defaults` (kind `resource`, namespace `default` unless given).
 * A ref with an empty part gives `undefined` (there is no page to link).
 */
export function entityCatalogPath(
  ref: string | { kind: string; namespace?: string; name: string },
  defaults: { kind?: string; namespace?: string } = {},
): string | undefined {
  let kind: string | undefined;
  let namespace: string | undefined;
  let name: string | undefined;
  if (typeof ref === 'string') {
    const m = /^(?:([^:/]*):)?(?:([^/]*)\/)?(.*)$/.exec(ref);
    [, kind, namespace, name] = m ?? [];
  } else {
    ({ kind, namespace, name } = ref);
  }
  kind = kind ?? defaults.kind ?? 'resource';
  namespace = namespace ?? defaults.namespace ?? 'default';
  if (!kind || !namespace || !name) return undefined;
  return `/catalog/${encodeURIComponent(namespace)}/${encodeURIComponent(
    kind.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(name)}`;
}
