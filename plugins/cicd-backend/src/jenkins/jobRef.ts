import { InputError } from '@backstage/errors';

/** One Jenkins job an entity names: instance and full job name. */
export interface JobRef {
  instance: string;
  /** Full name, folders separated by `/` (`shop/api`, `shop/api/main`). */
  path: string;
}

const INSTANCE = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** `instance:job/path`, the form the API and the UI pass around. */
export function formatJobRef(ref: JobRef): string {
  return `${ref.instance}:${ref.path}`;
}

/**
 * Parses one job reference: `job/path` (on the default instance) or
 * `instance:job/path`. Job names are Jenkins item names: no empty segment,
 * no `.` or `..`, no control characters, none of `\ ? # [ ] : ; |` (Jenkins
 * itself refuses most of them), at most 20 levels deep.
 */
export function parseJobRef(value: string, defaultInstance: string): JobRef {
  const text = value.trim();
  const colon = text.indexOf(':');
  const instance = colon >= 0 ? text.slice(0, colon) : defaultInstance;
  const path = colon >= 0 ? text.slice(colon + 1) : text;
  if (!INSTANCE.test(instance)) {
    throw new InputError(`Invalid Jenkins instance name in "${value}"`);
  }
  const segments = path.split('/');
  if (
    !path ||
    segments.length > 20 ||
    segments.some(
      s =>
        !s ||
        s === '.' ||
        s === '..' ||
        s.length > 255 ||
        // eslint-disable-next-line no-control-regex
        /[\u0000-\u001f\u007f\\?#[\]:;|]/.test(s),
    )
  ) {
    throw new InputError(`Invalid Jenkins job name in "${value}"`);
  }
  return { instance, path };
}

/**
 * The jobs of the `jenkins.io/job-full-name` annotation: comma-separated job
 * references (several instances allowed), at most 20.
 */
export function parseJobAnnotation(
  value: string | undefined,
  defaultInstance: string,
): JobRef[] {
  if (!value) return [];
  const refs = value
    .split(',')
    .map(s => s.trim())
    .filter(Boolean)
    .map(s => parseJobRef(s, defaultInstance));
  if (refs.length > 20) {
    throw new InputError('At most 20 Jenkins jobs per entity');
  }
  const seen = new Set<string>();
  return refs.filter(r => {
    const key = formatJobRef(r);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
