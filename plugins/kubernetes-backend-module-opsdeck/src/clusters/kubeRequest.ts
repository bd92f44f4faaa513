import type {
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Largest answer read from a cluster (lists of a component, a log page). */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** One answer of the Kubernetes API. */
export interface KubeAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

/** The error of a request that got no answer (network, TLS, size, timeout). */
export class KubeRequestError extends Error {
  name = 'KubeRequestError';
}

/**
 * `body` with the bearer token replaced by `***`: an API server or a proxy
 * in front of it that quotes the Authorization header (in a refusal, a log)
 * would show the vault's cluster token to whoever reads the answer.
 */
function withoutToken(body: Buffer, credential: KubernetesCredential): Buffer {
  if (credential.type !== 'bearer token' || !credential.token) return body;
  if (!body.includes(credential.token)) return body;
  // latin1 maps bytes one to one: the rest of the body is kept as it was
  return Buffer.from(
    body.toString('latin1').split(credential.token).join('***'),
    'latin1',
  );
}

/**
 * One request to a cluster's API server, with the credential in the
 * Authorization header (or a client certificate), the cluster's CA (TLS is
 * always verified) and no redirects. `path` is an API path built by the
 * caller from checked names; the query is encoded here. The answer never
 * carries the bearer token (`withoutToken`).
 */
export function kubeRequest(
  cluster: ClusterDetails,
  credential: KubernetesCredential,
  options: {
    method?: 'GET' | 'PATCH' | 'DELETE';
    path: string;
    query?: Record<string, string>;
    body?: unknown;
    contentType?: string;
    timeoutMs?: number;
  },
): Promise<KubeAnswer> {
  const base = new URL(cluster.url);
  const url = new URL(base.toString());
  url.pathname = `${base.pathname.replace(/\/$/, '')}${options.path}`;
  for (const [key, value] of Object.entries(options.query ?? {})) {
    url.searchParams.set(key, value);
  }
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (credential.type === 'bearer token') {
    headers.Authorization = `Bearer ${credential.token}`;
  }
  const payload =
    options.body === undefined ? undefined : JSON.stringify(options.body);
  if (payload !== undefined) {
    headers['Content-Type'] = options.contentType ?? 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  const tls = url.protocol === 'https:';
  const send = tls ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: options.method ?? 'GET',
        headers,
        timeout: options.timeoutMs ?? 15_000,
        ...(tls
          ? {
              rejectUnauthorized: true,
              ...(cluster.caData
                ? { ca: Buffer.from(cluster.caData, 'base64') }
                : {}),
              ...(credential.type === 'x509 client certificate'
                ? { cert: credential.cert, key: credential.key }
                : {}),
            }
          : {}),
      },
      res => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            req.destroy(
              new KubeRequestError(
                `Cluster ${cluster.name} answered more than ${MAX_ANSWER_BYTES} bytes`,
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: withoutToken(Buffer.concat(chunks), credential),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(
        new KubeRequestError(`Cluster ${cluster.name} did not answer in time`),
      ),
    );
    req.on('error', error =>
      reject(
        error instanceof KubeRequestError
          ? error
          : new KubeRequestError(
              `Cluster ${cluster.name} could not be reached: ${error.message}`,
            ),
      ),
    );
    req.end(payload);
  });
}

/** The `message` of a `metav1.Status` answer, if the body is one. */
export function statusMessage(answer: KubeAnswer): string | undefined {
  try {
    const parsed = JSON.parse(answer.body.toString('utf8'));
    return parsed?.kind === 'Status' && typeof parsed.message === 'string'
      ? parsed.message
      : undefined;
  } catch {
    return undefined;
  }
}

/** The API path of a resource list (`/api/v1/...` or `/apis/<group>/...`). */
export function resourcePath(
  group: string,
  apiVersion: string,
  plural: string,
  namespace?: string,
): string {
  const e = encodeURIComponent;
  let path = group
    ? `/apis/${e(group)}/${e(apiVersion)}`
    : `/api/${e(apiVersion)}`;
  if (namespace) path += `/namespaces/${e(namespace)}`;
  return `${path}/${e(plural)}`;
}
