import type {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  serializeError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  KUBERNETES_ANNOTATION,
  kubernetesProxyPermission,
} from '@backstage/plugin-kubernetes-common';
import type {
  AuthenticationStrategy,
  ClusterDetails,
  KubernetesClustersSupplier,
} from '@backstage/plugin-kubernetes-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { audited } from '@opsdeck/plugin-opsdeck-node';
import type { Request, Response } from 'express';
import { withCaller } from '../clusters/caller';
import { kubeRequest, statusMessage } from '../clusters/kubeRequest';
import { requireToken } from '../clusters/VaultTokenStrategy';

/** A Kubernetes object name or namespace (DNS-1123 subdomain). */
const NAME = '[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?';
const LOG_PATH = new RegExp(
  `^/api/v1/namespaces/(${NAME})/pods/(${NAME})/log$`,
);
const EVENTS_PATH = new RegExp(`^/api/v1/namespaces/(${NAME})/events$`);

/** Query parameters passed on, per read (anything else is dropped). */
const LOG_QUERY = [
  'container',
  'previous',
  'tailLines',
  'sinceSeconds',
  'timestamps',
  'limitBytes',
];
const EVENTS_QUERY = ['fieldSelector', 'limit'];
const INVOLVED_POD = new RegExp(`^involvedObject\\.name=(${NAME})$`);

/** Header naming the cluster, as the kubernetes frontend's proxy client sends it. */
const CLUSTER_HEADER = 'backstage-kubernetes-cluster';

/** What a proxied request reads, or undefined when it is not allowed. */
export function proxiedRead(
  method: string,
  path: string,
  fieldSelector?: unknown,
):
  | { kind: 'log'; namespace: string; pod: string }
  | { kind: 'events'; namespace: string; pod: string }
  | undefined {
  if (method !== 'GET') return undefined;
  const log = LOG_PATH.exec(path);
  if (log) return { kind: 'log', namespace: log[1], pod: log[2] };
  const events = EVENTS_PATH.exec(path);
  // events only of one pod, as the kubernetes frontend asks for them
  // (`fieldSelector=involvedObject.name=<pod>`): a namespace's whole event
  // list would show other teams' workloads
  const pod =
    typeof fieldSelector === 'string' ? INVOLVED_POD.exec(fieldSelector) : null;
  if (events && pod) {
    return { kind: 'events', namespace: events[1], pod: pod[1] };
  }
  return undefined;
}

function answerError(
  req: Request,
  res: Response,
  status: number,
  error: Error,
) {
  res.status(status).json({
    error: serializeError(error, { includeStack: false }),
    request: { method: req.method, url: req.url },
    response: { statusCode: status },
  });
}

/**
 * `/api/kubernetes/proxy`, opsdeck's read-only stand-in for the kubernetes
 * backend's proxy, with the URL contract of the kubernetes frontend's proxy
 * client: pod logs (current or previous container) and a pod's events,
 * nothing else (no write, exec or other read with the service-account
 * token: deleting a pod, restarting or scaling go through opsdeck's audited
 * actions). The caller needs `kubernetes.proxy`; a pod's logs and events are
 * only read for a person who can see the pod's component (its
 * `backstage.io/kubernetes-id` label) in the catalog. The token is taken out
 * of the vault for the caller; a token the browser sends is ignored.
 */
export function createReadProxy(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  clusterSupplier: KubernetesClustersSupplier;
  authStrategy: AuthenticationStrategy;
}) {
  return async (req: Request, res: Response) => {
    const credentials = await options.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const read = proxiedRead(req.method, req.path, req.query.fieldSelector);
    if (req.headers.upgrade || !read) {
      answerError(
        req,
        res,
        403,
        new NotAllowedError(
          "Only a pod's logs and events are read through the Kubernetes proxy",
        ),
      );
      return;
    }
    const [decision] = await options.permissions.authorize(
      [{ permission: kubernetesProxyPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      answerError(
        req,
        res,
        403,
        new NotAllowedError('Missing permission kubernetes.proxy'),
      );
      return;
    }
    const clusters = await options.clusterSupplier.getClusters({ credentials });
    const named = req.headers[CLUSTER_HEADER];
    let cluster: ClusterDetails | undefined;
    if (typeof named === 'string' && named) {
      cluster = clusters.find(c => c.name === named);
    } else if (clusters.length === 1) {
      cluster = clusters[0];
    }
    if (!cluster) {
      answerError(
        req,
        res,
        404,
        new NotFoundError(`No cluster ${named ?? ''}`.trim()),
      );
      return;
    }
    const allowed = read.kind === 'log' ? LOG_QUERY : EVENTS_QUERY;
    const query: Record<string, string> = {};
    for (const key of allowed) {
      const value = req.query[key];
      if (typeof value === 'string') query[key] = value;
    }
    const target = cluster;
    await withCaller(credentials, async () => {
      const credential = requireToken(
        target,
        await options.authStrategy.getCredential(target, {}),
      );
      // the pod must belong to a component the caller can see
      const podVisible = async () => {
        const pod = await kubeRequest(target, credential, {
          path: `/api/v1/namespaces/${read.namespace}/pods/${read.pod}`,
        });
        if (pod.status !== 200) {
          throw new NotFoundError(statusMessage(pod) ?? `No pod ${read.pod}`);
        }
        const id = JSON.parse(pod.body.toString('utf8'))?.metadata?.labels?.[
          KUBERNETES_ANNOTATION
        ];
        const { items } =
          typeof id === 'string'
            ? await options.catalog.getEntities(
                {
                  filter: {
                    [`metadata.annotations.${KUBERNETES_ANNOTATION}`]: id,
                  },
                },
                { credentials },
              )
            : { items: [] };
        if (items.length === 0) {
          throw new NotAllowedError(
            `Pod ${read.pod} belongs to no component you can see`,
          );
        }
      };
      if (read.kind === 'log') {
        await audited(
          options.auditor,
          {
            eventId: 'kubernetes-log-read',
            severityLevel: 'low',
            request: req,
            target: `kubernetes-pod:${target.name}/${read.namespace}/${read.pod}`,
            meta: {
              container: query.container ?? '',
              previous:
                query.previous !== undefined && query.previous !== 'false',
            },
          },
          podVisible,
        );
      } else {
        await podVisible();
      }
      const answer = await kubeRequest(target, credential, {
        path: req.path,
        query,
      });
      res
        .status(answer.status)
        .type(answer.contentType || 'application/octet-stream')
        .send(answer.body);
    }).catch(error => {
      const name = (error as Error)?.name;
      if (name === NotAllowedError.name) answerError(req, res, 403, error);
      else if (name === NotFoundError.name) answerError(req, res, 404, error);
      else if (name === InputError.name) answerError(req, res, 400, error);
      else throw error;
    });
  };
}
