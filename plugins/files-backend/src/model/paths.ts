import { InputError } from '@backstage/errors';
import { coded } from '@opsdeck/plugin-opsdeck-node';

/*
 * Checks for names and remote paths that come from users. Everything here is
 * refused with an InputError whose message says what is wrong, because these
 * strings end up in SFTP paths and (quoted) shell commands on many hosts.
 */

// C0 controls, DEL and C1 controls (NUL included).
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
const MAX_NAME_BYTES = 255;
const MAX_PATH_BYTES = 4096;

function describeControl(value: string): string {
  const m = CONTROL_CHARS.exec(value)!;
  const code = m[0].charCodeAt(0);
  const hex = code.toString(16).padStart(2, '0');
  return code === 0 ? 'a NUL byte' : `a control character (0x${hex})`;
}

/** A library file name: one path segment, printable, at most 255 bytes. */
export function validateFileName(name: string): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InputError('File name must not be empty');
  }
  if (CONTROL_CHARS.test(name)) {
    throw new InputError(`File name contains ${describeControl(name)}`);
  }
  if (name.includes('/') || name.includes('\\')) {
    throw new InputError(
      `File name '${name}' must not contain '/' or '\\' (it names a file, not a path)`,
    );
  }
  if (name === '.' || name === '..') {
    throw new InputError(`File name '${name}' is not allowed`);
  }
  if (name.trim() !== name) {
    throw new InputError(
      `File name '${name}' must not start or end with white space`,
    );
  }
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
    throw new InputError(`File name is longer than ${MAX_NAME_BYTES} bytes`);
  }
  return name;
}

/** A refused target path, coded `files-target-path-invalid` with `targetPath`. */
function targetPathRefusal(path: string, message: string): InputError {
  return coded(new InputError(message), 'files-target-path-invalid', {
    targetPath: String(path),
  });
}

/**
 * A target path on a host: absolute, normalised (no `.`, `..` or empty
 * segments), printable. A trailing `/` means "into this directory" and gets
 * `fileName` appended. Returns the final path.
 */
export function resolveTargetPath(path: string, fileName: string): string {
  if (typeof path !== 'string' || path.length === 0) {
    throw targetPathRefusal(path, 'Target path must not be empty');
  }
  if (CONTROL_CHARS.test(path)) {
    throw targetPathRefusal(
      path,
      `Target path contains ${describeControl(path)}`,
    );
  }
  if (!path.startsWith('/')) {
    throw targetPathRefusal(
      path,
      `Target path '${path}' must be absolute (start with '/')`,
    );
  }
  if (path.includes('\\')) {
    throw targetPathRefusal(
      path,
      `Target path '${path}' must not contain '\\'`,
    );
  }
  const full = path.endsWith('/') ? `${path}${fileName}` : path;
  const segments = full.split('/').slice(1);
  for (const segment of segments) {
    if (segment === '..') {
      throw targetPathRefusal(
        path,
        `Target path '${path}' must not contain '..' segments`,
      );
    }
    if (segment === '.') {
      throw targetPathRefusal(
        path,
        `Target path '${path}' must not contain '.' segments`,
      );
    }
    if (segment === '') {
      throw targetPathRefusal(
        path,
        `Target path '${path}' must not contain empty segments ('//')`,
      );
    }
    if (Buffer.byteLength(segment, 'utf8') > MAX_NAME_BYTES) {
      throw targetPathRefusal(
        path,
        `A segment of target path '${path}' is longer than ${MAX_NAME_BYTES} bytes`,
      );
    }
  }
  if (Buffer.byteLength(full, 'utf8') > MAX_PATH_BYTES) {
    throw targetPathRefusal(
      path,
      `Target path is longer than ${MAX_PATH_BYTES} bytes`,
    );
  }
  return full;
}

/** `0644` / `644` / `0o644` → 0o644; undefined stays undefined. */
export function parseFileMode(mode: string | undefined): number | undefined {
  if (mode === undefined || mode === '') return undefined;
  const m = /^(?:0o?)?([0-7]{3,4})$/.exec(mode);
  if (!m) {
    throw coded(
      new InputError(
        `File mode '${mode}' must be octal digits such as 0644 or 0755`,
      ),
      'files-file-mode-invalid',
      { fileMode: mode },
    );
  }
  return parseInt(m[1], 8);
}

/** `user`, `user:group` or `:group`, POSIX-portable names only. */
export function validateFileOwner(
  owner: string | undefined,
): string | undefined {
  if (owner === undefined || owner === '') return undefined;
  const name = '[a-z_][a-z0-9_.-]{0,31}';
  if (!new RegExp(`^(?:${name})?(?::${name})?$`, 'i').test(owner)) {
    throw coded(
      new InputError(
        `Owner '${owner}' must be 'user', 'user:group' or ':group' with plain names`,
      ),
      'files-file-owner-invalid',
      { fileOwner: owner },
    );
  }
  return owner;
}

/** Directory part of an absolute path (`/a/b` → `/a`, `/b` → `/`). */
export function dirnameOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Last segment of an absolute path. */
export function basenameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * True when absolute, normalised `path` is `root` or below it (component by
 * component: `/srv/app` is inside `/srv`, `/srvx` is not). `/` holds every path.
 */
export function isInsideRoot(path: string, root: string): boolean {
  if (root === '/') return path.startsWith('/');
  return path === root || path.startsWith(`${root}/`);
}

/**
 * An allowed target root from the configuration: absolute and normalised
 * like a target path; a trailing `/` is dropped.
 */
export function normaliseRoot(root: string): string {
  if (root === '/') return root;
  const trimmed = root.endsWith('/') ? root.slice(0, -1) : root;
  try {
    return resolveTargetPath(trimmed, 'x');
  } catch (e) {
    throw new Error(
      `opsdeck.files.distribution.allowedRoots: '${root}' is not a normalised absolute path (${
        (e as Error).message
      })`,
    );
  }
}
