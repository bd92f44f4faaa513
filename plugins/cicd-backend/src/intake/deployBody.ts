import { InputError } from '@backstage/errors';
import {
  DEPLOYMENT_STATUSES,
  type DeploymentStatus,
} from '@opsdeck/plugin-cicd-common';
import { safeUrl } from '../jenkins/JenkinsGateway';
import { COMMIT, DIGEST, entityRefOf, systemOf, text, whole } from './body';

/** What a CD system posts to the deploy webhook (after the signature was checked). */
export interface DeploymentBody {
  entityRef: string;
  system: string;
  environment: string;
  version?: string;
  digest?: string;
  commit?: string;
  status: DeploymentStatus;
  url: string;
  timestamp?: number;
}

const KEYS = new Set([
  'system',
  'entity',
  'environment',
  'version',
  'digest',
  'commit',
  'status',
  'url',
  'timestamp',
]);
const ENVIRONMENT = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/**
 * Parses the JSON body of a deploy webhook request: `{ system, entity,
 * environment, version?, digest?, commit?, status, url?, timestamp? }`;
 * InputError (400) for anything it cannot use.
 */
export function parseDeploymentBody(raw: Buffer): DeploymentBody {
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
  const environment = text(body.environment, 'environment', 63);
  if (!ENVIRONMENT.test(environment)) {
    throw new InputError(
      'environment must be lower-case letters, digits, ., _ and -',
    );
  }
  if (!DEPLOYMENT_STATUSES.includes(body.status)) {
    throw new InputError(
      `status must be one of ${DEPLOYMENT_STATUSES.join(', ')}`,
    );
  }
  if (
    body.digest !== undefined &&
    !(typeof body.digest === 'string' && DIGEST.test(body.digest))
  ) {
    throw new InputError('digest must be sha256:<64 hex>');
  }
  if (
    body.commit !== undefined &&
    !(typeof body.commit === 'string' && COMMIT.test(body.commit))
  ) {
    throw new InputError('commit must be a hex commit id');
  }
  if (body.url !== undefined && !safeUrl(body.url)) {
    throw new InputError('url must be an http(s) URL');
  }
  if (body.version === undefined && body.digest === undefined) {
    throw new InputError('a deployment names a version or an image digest');
  }
  return {
    entityRef: entityRefOf(body.entity, 'entity'),
    system: systemOf(body.system),
    environment,
    ...(body.version !== undefined
      ? { version: text(body.version, 'version', 255) }
      : {}),
    ...(body.digest !== undefined ? { digest: body.digest } : {}),
    ...(body.commit !== undefined ? { commit: body.commit } : {}),
    status: body.status,
    url: body.url === undefined ? '' : safeUrl(body.url),
    ...(body.timestamp !== undefined
      ? { timestamp: whole(body.timestamp, 'timestamp', 0) }
      : {}),
  };
}
