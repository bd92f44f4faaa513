import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';

/**
 * Settings that hold a secret. Every value found at one of these paths in a config file shipped
 * in the repository is public (it is on GitHub), so production refuses all of them, wherever they
 * appear (the demo MFA key used as a session secret is refused too).
 * `[]` stands for every element of a list.
 */
export const SECRET_PATHS = [
  'opsdeck.localAuth.sessionSecret',
  'opsdeck.localAuth.seedUsers[].password',
  'opsdeck.bastion.mfa.key',
  'opsdeck.vault.keys[].secret',
  'backend.auth.keys[].secret',
  'backend.auth.externalAccess[].options.token',
] as const;

/** Values at `dotted` (with `[]` for each list element) in a parsed YAML document. */
export function valuesAt(
  doc: unknown,
  dotted: string,
): Array<{ path: string; value: unknown }> {
  let current: Array<{ path: string; value: unknown }> = [
    { path: '', value: doc },
  ];
  for (const part of dotted.split('.')) {
    const list = part.endsWith('[]');
    const key = list ? part.slice(0, -2) : part;
    const next: Array<{ path: string; value: unknown }> = [];
    for (const { path: at, value } of current) {
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        continue;
      }
      const child = (value as Record<string, unknown>)[key];
      const childPath = at ? `${at}.${key}` : key;
      if (child === undefined || child === null) continue;
      if (list) {
        if (Array.isArray(child)) {
          child.forEach((item, i) =>
            next.push({ path: `${childPath}[${i}]`, value: item }),
          );
        }
      } else {
        next.push({ path: childPath, value: child });
      }
    }
    current = next;
  }
  return current;
}

/** What the repository's own config files say about secrets. */
export interface ShippedConfig {
  /** Every literal secret value in a shipped config file → the files it is in. */
  values: Map<string, string[]>;
  /**
   * Environment variables the shipped files read a setting from (`${OPSDECK_SESSION_SECRET}`),
   * by setting path (list indexes as written, e.g. `opsdeck.vault.keys[0].secret`).
   */
  variables: Map<string, string>;
}

const CONFIG_FILE = /^app-config(\..+)?\.ya?ml$/;

/** The shipped config files: `app-config*.yaml` in the repository root and its first-level folders. */
export function findShippedConfigFiles(rootDir: string): string[] {
  const files: string[] = [];
  const dirs = [rootDir];
  for (const entry of fs.readdirSync(rootDir, { withFileTypes: true })) {
    if (
      entry.isDirectory() &&
      !entry.name.startsWith('.') &&
      entry.name !== 'node_modules' &&
      entry.name !== 'dist'
    ) {
      dirs.push(path.join(rootDir, entry.name));
    }
  }
  for (const dir of dirs) {
    for (const name of fs.readdirSync(dir)) {
      if (CONFIG_FILE.test(name)) files.push(path.join(dir, name));
    }
  }
  return files.sort();
}

/** Reads the secret values and `${VAR}` references of the shipped config files. */
export function readShippedConfig(rootDir: string): ShippedConfig {
  const values = new Map<string, string[]>();
  const variables = new Map<string, string>();
  for (const file of findShippedConfigFiles(rootDir)) {
    const relative = path.relative(rootDir, file);
    let doc: unknown;
    try {
      doc = yaml.load(fs.readFileSync(file, 'utf8'));
    } catch {
      continue; // not ours to judge; the config loader reports broken YAML
    }
    for (const secretPath of SECRET_PATHS) {
      for (const { path: at, value } of valuesAt(doc, secretPath)) {
        if (typeof value !== 'string' || value === '') continue;
        const variable = /^\$\{\s*([A-Za-z0-9_]+)\s*\}$/.exec(value);
        if (variable) {
          variables.set(at, variable[1]);
          continue;
        }
        values.set(value, [...(values.get(value) ?? []), relative]);
      }
    }
  }
  return { values, variables };
}
