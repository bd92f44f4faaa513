import { InputError } from '@backstage/errors';
import type { ConfigVariables } from '@opsdeck/plugin-config-common';

/** What previews, diffs, drift and stored baselines show in place of a secret. */
export const SECRET_MASK = '••••';

/** A variable whose value is a vault credential's password: `{ "vault": "<credential>" }`. */
export type VaultRef = { vault: string };

const CREDENTIAL_NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/i;

/** True when `value` is a vault reference (`{ "vault": "<credential name>" }`, nothing else). */
export function isVaultRef(value: unknown): value is VaultRef {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as VaultRef).vault === 'string' &&
    CREDENTIAL_NAME.test((value as VaultRef).vault)
  );
}

const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'secret',
  'token',
  'key',
  'apikey',
  'requirepass',
  'masterauth',
]);

/**
 * Whether a variable's name looks like a secret: one of its words (split on
 * `_ - .` and lowerCamelCase) is password, passwd, pwd, secret, token, key,
 * apikey, requirepass or masterauth, or ends in password, passwd, secret or
 * token (`dbPassword`, `redis_requirepass`, `api-key`, `authToken`).
 * `proxy_pass`, `keepalive` and `keyfile_path` are not.
 */
export function looksSecret(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_.-]+/)
    .filter(Boolean);
  return words.some(
    w => SECRET_WORDS.has(w) || /(password|passwd|secret|token)$/.test(w),
  );
}

type Scope = { where: string; vars: Record<string, unknown> };

function scopes(variables: ConfigVariables): Scope[] {
  const out: Scope[] = [{ where: 'defaults', vars: variables.defaults ?? {} }];
  for (const [env, vars] of Object.entries(variables.environments ?? {})) {
    out.push({ where: `environments.${env}`, vars: vars ?? {} });
  }
  for (const [host, vars] of Object.entries(variables.hosts ?? {})) {
    out.push({ where: `hosts.${host}`, vars: vars ?? {} });
  }
  return out;
}

/**
 * Variables whose name looks like a secret but whose value is in clear text
 * (`defaults.requirepass`, `hosts.web-01.api_key`): refused when a version
 * is saved, flagged on versions saved before the rule ("should move to the vault").
 */
export function clearSecrets(variables: ConfigVariables): string[] {
  const out: string[] = [];
  for (const { where, vars } of scopes(variables)) {
    walkValues(vars, where, (path, names, value) => {
      if (
        // under a secret-looking name, at any depth (`apiToken.prod`)
        names.some(looksSecret) &&
        value !== undefined &&
        value !== null &&
        value !== '' &&
        // a list's items and an object's members are checked themselves
        typeof value !== 'object'
      ) {
        out.push(path);
      }
    });
  }
  return out;
}

/** How deep variables may nest (a vault reference at any depth up to it). */
const MAX_DEPTH = 16;

/**
 * Calls `visit` for every value under `vars` (depth first, a vault
 * reference as one value: its `vault` member is not visited), with its path
 * (`defaults.upstreams.0.auth`) and the member names on the way to it
 * (`['upstreams', 'auth']`: a list's items go by the list's name).
 */
function walkValues(
  vars: Record<string, unknown>,
  where: string,
  visit: (path: string, names: string[], value: unknown) => void,
): void {
  const go = (value: unknown, path: string, names: string[], depth: number) => {
    if (depth > MAX_DEPTH) {
      throw new InputError(
        `Variable ${path}: variables nest at most ${MAX_DEPTH} levels`,
      );
    }
    visit(path, names, value);
    if (value === null || typeof value !== 'object' || isVaultRef(value)) {
      return;
    }
    if (Array.isArray(value)) {
      // a list's items go by the list's name (`tokens: ["…"]`)
      value.forEach((v, i) => go(v, `${path}.${i}`, names, depth + 1));
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      go(v, `${path}.${k}`, [...names, k], depth + 1);
    }
  };
  for (const [name, value] of Object.entries(vars)) {
    go(value, `${where}.${name}`, [name], 1);
  }
}

/** Refuses a clear-text value for a secret-looking variable and a malformed vault reference. */
export function checkVariables(variables: ConfigVariables): void {
  for (const { where, vars } of scopes(variables)) {
    walkValues(vars, where, (path, _names, value) => {
      if (
        value &&
        typeof value === 'object' &&
        !Array.isArray(value) &&
        'vault' in value &&
        !isVaultRef(value)
      ) {
        throw new InputError(
          `Variable ${path}: a vault reference is { "vault": "<credential name>" } and nothing else`,
        );
      }
    });
  }
  const clear = clearSecrets(variables);
  if (clear.length > 0) {
    throw new InputError(
      `Variables ${clear.join(
        ', ',
      )} look like secrets (password, passwd, secret, token, key, …) and are in clear text: use a vault reference { "vault": "<credential name>" } instead`,
    );
  }
}

/**
 * The variables with each vault reference (at any depth, in objects and
 * lists) replaced by its secret, when `secrets` has it, or by
 * {@link SECRET_MASK} (previews).
 */
export function withSecrets(
  vars: Record<string, unknown>,
  secrets?: ReadonlyMap<string, string>,
): Record<string, unknown> {
  const resolve = (value: unknown): unknown => {
    if (isVaultRef(value)) return secrets?.get(value.vault) ?? SECRET_MASK;
    if (Array.isArray(value)) return value.map(resolve);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, resolve(v)]),
      );
    }
    return value;
  };
  return resolve(vars) as Record<string, unknown>;
}

/**
 * Each vault reference of a host's variables (at any depth) with the
 * Handlebars path that reads it (`vars.upstreams.[0].auth`).
 */
export function vaultRefs(
  vars: Record<string, unknown>,
): Array<{ name: string; path: string }> {
  const out: Array<{ name: string; path: string }> = [];
  // a name, or a literal segment; a member name with `]` or a space: none
  const segment = (k: string): string | undefined => {
    if (/^[A-Za-z_$][\w$]*$/.test(k)) return `.${k}`;
    if (/^[^\]\s]+$/.test(k)) return `.[${k}]`;
    return undefined;
  };
  const go = (value: unknown, path: string | undefined, depth: number) => {
    if (depth > MAX_DEPTH) return;
    if (isVaultRef(value)) {
      // a member whose name no template path can spell: not one to write back
      out.push({ name: value.vault, path: path ?? '' });
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) =>
        go(v, path === undefined ? undefined : `${path}.[${i}]`, depth + 1),
      );
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const seg = segment(k);
        go(
          v,
          path === undefined || !seg ? undefined : `${path}${seg}`,
          depth + 1,
        );
      }
    }
  };
  go(vars, 'vars', 0);
  return out;
}

/** The credential names a host's variables refer to (at any depth). */
export function vaultNames(vars: Record<string, unknown>): string[] {
  return [...new Set(vaultRefs(vars).map(r => r.name))];
}

/** `text` with every occurrence of each secret replaced by the mask. */
export function maskSecrets(
  text: string,
  secrets: Iterable<string> | undefined,
): string {
  let out = text;
  const values = [...(secrets ?? [])]
    .filter(s => s.length > 0)
    .sort((a, b) => b.length - a.length);
  for (const s of values) out = out.split(s).join(SECRET_MASK);
  return out;
}

/**
 * A live file read from a host, with each line that matches a masked line
 * of `patterns` (the masked rendering, the masked drift baseline) replaced
 * by that masked line: where a pushed secret stands, the live file shows the
 * mask, without the backend knowing the secret (previews and drift do not
 * take secrets out of the vault). A hand edit on a secret's line shows as
 * that masked line.
 */
export function maskLive(
  live: string,
  patterns: Array<string | undefined>,
): string {
  const masked: Array<{ parts: string[]; line: string }> = [];
  for (const text of patterns) {
    for (const line of (text ?? '').split('\n')) {
      if (!line.includes(SECRET_MASK)) continue;
      masked.push({ parts: line.split(SECRET_MASK), line });
    }
  }
  if (masked.length === 0) return live;
  return live
    .split('\n')
    .map(l => masked.find(m => matchesMasked(l, m.parts))?.line ?? l)
    .join('\n');
}

/**
 * Whether `line` is a masked line (split at its masks into `parts`) with
 * any text where each mask stands: it starts with the first part, ends with
 * the last, and holds the others in order between them. One pass (the
 * leftmost place of each part is the best): never a regular expression,
 * which backtracks on a hostile host's long line.
 */
export function matchesMasked(line: string, parts: string[]): boolean {
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (parts.length < 2) return line === first;
  if (line.length < first.length + last.length) return false;
  if (!line.startsWith(first) || !line.endsWith(last)) return false;
  const end = line.length - last.length;
  let at = first.length;
  for (const part of parts.slice(1, -1)) {
    const i = line.indexOf(part, at);
    if (i < 0 || i + part.length > end) return false;
    at = i + part.length;
  }
  return true;
}

/**
 * The lines of a live file that stand where a vault secret was pushed (they
 * match a masked line of `patterns`, see {@link maskLive}) but hold none of
 * `secrets`: a value typed there by hand, which adopting would store in
 * clear. Each as the masked line it matches.
 */
export function handTypedSecretLines(
  live: string,
  patterns: Array<string | undefined>,
  secrets: Iterable<string>,
): string[] {
  const masked = maskLive(live, patterns).split('\n');
  const known = [...secrets];
  return live
    .split('\n')
    .flatMap((line, i) =>
      masked[i] !== line && maskSecrets(line, known) !== masked[i]
        ? [masked[i]]
        : [],
    );
}

/**
 * A live file as a template that renders to exactly that text, with each
 * occurrence of a secret replaced by `{{vars.<name>}}` (`byValue`: secret →
 * variable name), so an adopted file keeps its vault references instead of
 * storing the secret. The rest is kept verbatim in `{{{{raw}}}}` blocks.
 */
export function verbatimWithSecrets(
  content: string,
  byValue: ReadonlyMap<string, string>,
): string {
  const values = [...byValue.keys()]
    .filter(v => v.length > 0)
    .sort((a, b) => b.length - a.length);
  if (content.includes('{{{{/raw}}}}')) {
    throw new InputError(
      'The live file contains {{{{/raw}}}} and cannot be kept verbatim',
    );
  }
  const literal = (text: string) =>
    /[{}]/.test(text) ? `{{{{raw}}}}${text}{{{{/raw}}}}` : text;
  let out = '';
  let rest = content;
  while (rest.length > 0) {
    let at = -1;
    let hit = '';
    for (const v of values) {
      const i = rest.indexOf(v);
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
        hit = v;
      }
    }
    if (at < 0) {
      out += literal(rest);
      break;
    }
    out += `${literal(rest.slice(0, at))}{{vars.${byValue.get(hit)}}}`;
    rest = rest.slice(at + hit.length);
  }
  return out;
}
