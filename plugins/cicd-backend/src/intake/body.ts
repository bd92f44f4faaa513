import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { BuildArtifact, BuildResult } from '@opsdeck/plugin-cicd-common';
import { safeUrl } from '../jenkins/JenkinsGateway';

/** What a CI system posts (after the signature was checked). */
export interface IntakeBody {
  entityRef: string;
  system: string;
  job: string;
  number: number;
  result: BuildResult;
  branch?: string;
  url: string;
  commit?: string;
  timestamp?: number;
  durationMillis?: number;
  log: string;
  /** What the build produced (at most 20). */
  artifacts?: BuildArtifact[];
}

const RESULTS: BuildResult[] = ['SUCCESS', 'FAILURE', 'UNSTABLE', 'ABORTED'];
const SYSTEM = /^[a-z0-9][a-z0-9-]{0,62}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
export const COMMIT = /^[0-9a-f]{7,64}$/;
/** An image digest. */
export const DIGEST = /^sha256:[0-9a-f]{64}$/;
const MAX_ARTIFACTS = 20;
const KEYS = new Set([
  'entityRef',
  'system',
  'job',
  'number',
  'result',
  'branch',
  'url',
  'commit',
  'timestamp',
  'durationMillis',
  'log',
  'artifacts',
]);

export function text(value: unknown, field: string, max: number): string {
  if (
    typeof value !== 'string' ||
    !value ||
    value.length > max ||
    CONTROL.test(value)
  ) {
    throw new InputError(
      `${field} must be a string of 1 to ${max} characters without control characters`,
    );
  }
  return value;
}

export function whole(value: unknown, field: string, min: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < min) {
    throw new InputError(`${field} must be an integer of at least ${min}`);
  }
  return value as number;
}

/**
 * Parses the JSON body of an intake request; InputError (400) for anything
 * it cannot use. The log keeps its tail of `maxLogBytes` (the failure is at
 * the end of a log).
 */
export function parseIntakeBody(
  raw: Buffer,
  maxLogBytes: number,
): IntakeBody & { logTruncated: boolean } {
  let body: any;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new InputError('The body is not JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new InputError('The body must be a JSON object');
  }
  const unknown = Object.keys(body).filter(k => !KEYS.has(k));
  if (unknown.length) {
    throw new InputError(`Unknown fields: ${unknown.slice(0, 5).join(', ')}`);
  }
  const entityRef = entityRefOf(body.entityRef, 'entityRef');
  const system = systemOf(body.system);
  if (!RESULTS.includes(body.result)) {
    throw new InputError(`result must be one of ${RESULTS.join(', ')}`);
  }
  if (body.url !== undefined && !safeUrl(body.url)) {
    throw new InputError('url must be an http(s) URL');
  }
  if (
    body.commit !== undefined &&
    !(typeof body.commit === 'string' && COMMIT.test(body.commit))
  ) {
    throw new InputError('commit must be a hex commit id');
  }
  const artifacts =
    body.artifacts === undefined ? undefined : artifactsOf(body.artifacts);
  const log = body.log === undefined ? '' : body.log;
  if (typeof log !== 'string') throw new InputError('log must be a string');
  const bytes = Buffer.from(log, 'utf8');
  const logTruncated = bytes.length > maxLogBytes;
  return {
    entityRef,
    system,
    job: text(body.job, 'job', 255),
    number: whole(body.number, 'number', 1),
    result: body.result,
    ...(body.branch !== undefined
      ? { branch: text(body.branch, 'branch', 255) }
      : {}),
    url: body.url === undefined ? '' : safeUrl(body.url),
    ...(body.commit !== undefined ? { commit: body.commit } : {}),
    ...(body.timestamp !== undefined
      ? { timestamp: whole(body.timestamp, 'timestamp', 0) }
      : {}),
    ...(body.durationMillis !== undefined
      ? { durationMillis: whole(body.durationMillis, 'durationMillis', 0) }
      : {}),
    ...(artifacts ? { artifacts } : {}),
    // the tail, cut at a line start so no half character or line remains
    log: logTruncated ? tail(bytes, maxLogBytes) : log,
    logTruncated,
  };
}

function tail(bytes: Buffer, max: number): string {
  const cut = bytes.subarray(bytes.length - max);
  const nl = cut.indexOf(0x0a);
  return cut.subarray(nl >= 0 ? nl + 1 : 0).toString('utf8');
}

/** A catalog entity reference (kind defaults to component), lower case. */
export function entityRefOf(value: unknown, field: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(text(value, field, 700), {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch (e) {
    throw new InputError(`${field}: ${(e as Error).message}`);
  }
}

/** A CI/CD system name: lower-case letters, digits and -. */
export function systemOf(value: unknown): string {
  const system = text(value, 'system', 63);
  if (!SYSTEM.test(system)) {
    throw new InputError('system must be lower-case letters, digits and -');
  }
  return system;
}

function artifactsOf(value: unknown): BuildArtifact[] {
  if (!Array.isArray(value) || value.length > MAX_ARTIFACTS) {
    throw new InputError(
      `artifacts must be a list of at most ${MAX_ARTIFACTS} objects`,
    );
  }
  return value.map((a, i) => {
    if (!a || typeof a !== 'object' || Array.isArray(a)) {
      throw new InputError(`artifacts[${i}] must be an object`);
    }
    const unknown = Object.keys(a).filter(
      k => !['name', 'digest', 'url'].includes(k),
    );
    if (unknown.length) {
      throw new InputError(`artifacts[${i}]: unknown fields ${unknown[0]}`);
    }
    if (
      a.digest !== undefined &&
      !(typeof a.digest === 'string' && DIGEST.test(a.digest))
    ) {
      throw new InputError(`artifacts[${i}].digest must be sha256:<64 hex>`);
    }
    if (a.url !== undefined && !safeUrl(a.url)) {
      throw new InputError(`artifacts[${i}].url must be an http(s) URL`);
    }
    return {
      name: text(a.name, `artifacts[${i}].name`, 255),
      ...(a.digest !== undefined ? { digest: a.digest } : {}),
      ...(a.url !== undefined ? { url: safeUrl(a.url) } : {}),
    };
  });
}
