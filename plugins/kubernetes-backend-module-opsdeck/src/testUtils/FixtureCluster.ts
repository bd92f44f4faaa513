import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  COMPONENT_ID,
  deployment,
  event,
  NAMESPACE,
  OTHER_COMPONENT_ID,
  pod,
  replicaSet,
  service,
  type KubeObject,
} from './fixtureObjects';
import {
  advanceRollout,
  canonicalJson,
  startRollout,
  type PendingRollout,
  type RolloutMode,
} from './rolloutController';

/** One request the fixture cluster answered. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  contentType?: string;
  body?: unknown;
  status: number;
}

/** The lists the kubernetes backend asks for, by API path segment. */
const LISTS: Record<string, { apiVersion: string; kind: string }> = {
  '/api/v1/pods': { apiVersion: 'v1', kind: 'Pod' },
  '/api/v1/services': { apiVersion: 'v1', kind: 'Service' },
  '/api/v1/configmaps': { apiVersion: 'v1', kind: 'ConfigMap' },
  '/api/v1/secrets': { apiVersion: 'v1', kind: 'Secret' },
  '/api/v1/limitranges': { apiVersion: 'v1', kind: 'LimitRange' },
  '/api/v1/resourcequotas': { apiVersion: 'v1', kind: 'ResourceQuota' },
  '/api/v1/events': { apiVersion: 'v1', kind: 'Event' },
  '/apis/apps/v1/deployments': { apiVersion: 'apps/v1', kind: 'Deployment' },
  '/apis/apps/v1/replicasets': { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
  '/apis/apps/v1/statefulsets': { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  '/apis/apps/v1/daemonsets': { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  '/apis/autoscaling/v2/horizontalpodautoscalers': {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
  },
  '/apis/batch/v1/jobs': { apiVersion: 'batch/v1', kind: 'Job' },
  '/apis/batch/v1/cronjobs': { apiVersion: 'batch/v1', kind: 'CronJob' },
  '/apis/networking.k8s.io/v1/ingresses': {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
  },
};

/** A `metav1.Status` failure, as the API server answers errors. */
function status(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** Equality-based label selectors (`a=b,c==d,e!=f`), the only kind used here. */
function matchesSelector(obj: KubeObject, selector: string | undefined) {
  if (!selector) return true;
  const labels = obj.metadata.labels ?? {};
  return selector.split(',').every(term => {
    const ne = term.split('!=');
    if (ne.length === 2) return labels[ne[0].trim()] !== ne[1].trim();
    const [key, value] = term.split(/==?/);
    return labels[key.trim()] === value?.trim();
  });
}

/**
 * A Kubernetes API server stand-in on loopback for the calls opsdeck and the
 * kubernetes backend make: list calls per resource (cluster-wide or per
 * namespace, with `labelSelector`), a pod, pod logs (`container`,
 * `previous`), events with `fieldSelector=involvedObject.name=`, and the
 * writes of opsdeck's actions (PATCH a deployment: strategic merge of the
 * template's annotations and containers by name, or the JSON patch of
 * `kubectl rollout undo`; PATCH its scale subresource, DELETE a pod). A
 * changed pod template starts a rollout as the deployment controller does
 * (a ReplicaSet per template numbered by `deployment.kubernetes.io/revision`,
 * see rolloutController.ts), advanced one step per read of the deployment
 * as {@link FixtureCluster.rolloutMode} says. Every request needs `Authorization: Bearer
 * <token>` (401 Status otherwise, as the API server answers a wrong token)
 * and is recorded.
 */
export class FixtureCluster {
  readonly requests: RecordedRequest[] = [];
  readonly objects: KubeObject[];
  /** Log lines per `pod/container` and `pod/container/previous`. */
  readonly logs = new Map<string, string>();
  /** How the next rollouts go (see {@link RolloutMode}). */
  rolloutMode: RolloutMode = 'progress';
  /**
   * A hostile or misbehaving API server (or a proxy in front of one): when
   * it returns an answer for an authorized request, that is sent instead.
   */
  hostile?: (
    request: RecordedRequest,
  ) => { status: number; json?: unknown; text?: string } | undefined;
  /** Rollouts in flight, by deployment uid: each read of the deployment advances one. */
  private readonly rollouts = new Map<string, PendingRollout>();
  private server?: Server;

  constructor(readonly token: string) {
    const api = deployment(
      COMPONENT_ID,
      '5f0c6a51-2d8e-4c8b-9a37-0d6f1e2b7a10',
    );
    const rs = replicaSet(api, 'b1e4d7c2-9a0f-4e61-8d53-7c2a9f4e1b36');
    const pod1 = pod(rs, 'x7k2p', '0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e', 1);
    const pod2 = pod(rs, 'q9w4z', '6e7f8a9b-0c1d-4e2f-9a3b-4c5d6e7f8a9b', 0);
    const web = deployment(
      OTHER_COMPONENT_ID,
      'a9b8c7d6-e5f4-4a3b-8c2d-1e0f9a8b7c6d',
      1,
    );
    const webRs = replicaSet(web, 'c0d1e2f3-a4b5-4c6d-9e7f-8a9b0c1d2e3f');
    this.objects = [
      api,
      webRs,
      pod(webRs, 'm3n8v', 'd4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f7a', 0),
      rs,
      pod1,
      pod2,
      service(COMPONENT_ID, '3a4b5c6d-7e8f-4a9b-8c0d-1e2f3a4b5c6d'),
      web,
      event(
        pod1,
        'OOMKilling',
        'Memory cgroup out of memory: Killed process 4121 (node)',
        'Warning',
        '71c2e3d4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
      ),
      event(
        pod1,
        'Started',
        'Started container api',
        'Normal',
        '82d3f4e5-b6c7-4d8e-9fa0-1b2c3d4e5f6a',
        2,
      ),
      event(
        api,
        'ScalingReplicaSet',
        `Scaled up replica set ${rs.metadata.name} to 2`,
        'Normal',
        '93e4a5f6-c7d8-4e9f-a0b1-2c3d4e5f6a7b',
      ),
    ];
    const p1 = pod1.metadata.name;
    const p2 = pod2.metadata.name;
    this.logs.set(
      `${p1}/api`,
      '2026-12-02T21:40:08.112Z INFO listening on :8080\n2026-12-02T21:41:00.004Z INFO GET /healthz 200 1ms\n',
    );
    this.logs.set(
      `${p1}/api/previous`,
      '2026-12-02T21:39:58.870Z WARN heap 241Mi of 256Mi\n2026-12-02T21:40:04.991Z ERROR allocation failed: JavaScript heap out of memory\n',
    );
    this.logs.set(
      `${p2}/api`,
      '2026-12-01T02:02:45.300Z INFO listening on :8080\n',
    );
  }

  /** The pods of `component` (by the backstage.io/kubernetes-id label). */
  pods(component = COMPONENT_ID): KubeObject[] {
    return this.objects.filter(
      o =>
        o.kind === 'Pod' &&
        o.metadata.labels?.['backstage.io/kubernetes-id'] === component,
    );
  }

  find(kind: string, namespace: string, name: string) {
    return this.objects.find(
      o =>
        o.kind === kind &&
        o.metadata.namespace === namespace &&
        o.metadata.name === name,
    );
  }

  /** Starts on 127.0.0.1 (`port` 0: any free port); returns the base URL. */
  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', c => chunks.push(c));
      req.on('end', () => {
        const answer = this.answer(req, Buffer.concat(chunks).toString('utf8'));
        res.writeHead(answer.status, {
          'Content-Type':
            answer.text !== undefined ? 'text/plain' : 'application/json',
          'Cache-Control': 'no-cache, private',
        });
        res.end(answer.text ?? JSON.stringify(answer.json));
      });
    });
    await new Promise<void>(resolve =>
      this.server!.listen(port, '127.0.0.1', () => resolve()),
    );
    const address = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  async stop() {
    await new Promise<void>(resolve =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private answer(
    req: IncomingMessage,
    raw: string,
  ): { status: number; json?: unknown; text?: string } {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const query = Object.fromEntries(url.searchParams.entries());
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body,
      status: 0,
    };
    this.requests.push(record);
    const answer =
      req.headers.authorization === `Bearer ${this.token}`
        ? this.hostile?.(record) ?? this.route(record)
        : { status: 401, json: status(401, 'Unauthorized', 'Unauthorized') };
    record.status = answer.status;
    return answer;
  }

  private route(r: RecordedRequest): {
    status: number;
    json?: unknown;
    text?: string;
  } {
    const ns = /^\/api(?:s\/[^/]+)?\/v\d+\/namespaces\/([^/]+)\//.exec(r.path);
    // list: cluster-wide or in a namespace
    const listPath = r.path.replace(/\/namespaces\/[^/]+\//, '/');
    const list = LISTS[listPath];
    if (r.method === 'GET' && list) {
      let items = this.objects.filter(
        o =>
          o.kind === list.kind &&
          (!ns || o.metadata.namespace === ns[1]) &&
          matchesSelector(o, r.query.labelSelector),
      );
      const field = /^involvedObject\.name=(.+)$/.exec(
        r.query.fieldSelector ?? '',
      );
      if (field) {
        items = items.filter(
          o => (o.involvedObject as { name: string }).name === field[1],
        );
      }
      // paging as the API server does it: `limit`, then the opaque
      // `metadata.continue` token of the previous page
      const metadata: Record<string, unknown> = { resourceVersion: '512390' };
      const start = r.query.continue
        ? Number(
            Buffer.from(r.query.continue, 'base64url')
              .toString('utf8')
              .replace(/^offset:/, ''),
          )
        : 0;
      if (r.query.continue && !(Number.isInteger(start) && start >= 0)) {
        return {
          status: 400,
          json: status(400, 'BadRequest', 'continue key is not valid'),
        };
      }
      const limit = Number(r.query.limit ?? 0);
      if (limit > 0 || start > 0) {
        const end = limit > 0 ? start + limit : items.length;
        if (end < items.length) {
          metadata.continue = Buffer.from(`offset:${end}`).toString(
            'base64url',
          );
          metadata.remainingItemCount = items.length - end;
        }
        items = items.slice(start, end);
      }
      return {
        status: 200,
        json: {
          kind: `${list.kind}List`,
          apiVersion: list.apiVersion,
          metadata,
          items,
        },
      };
    }
    const podPath =
      /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)(\/log)?$/.exec(r.path);
    if (podPath) {
      const [, namespace, name, log] = podPath;
      const found = this.find('Pod', namespace, name);
      if (!found) {
        return {
          status: 404,
          json: status(404, 'NotFound', `pods "${name}" not found`, {
            name,
            kind: 'pods',
          }),
        };
      }
      if (log && r.method === 'GET') return this.log(found, r.query);
      if (!log && r.method === 'GET') return { status: 200, json: found };
      if (!log && r.method === 'DELETE') {
        this.objects.splice(this.objects.indexOf(found), 1);
        return {
          status: 200,
          json: {
            ...found,
            metadata: {
              ...found.metadata,
              deletionTimestamp: '2026-12-03T09:30:00Z',
              deletionGracePeriodSeconds: 30,
            },
          },
        };
      }
    }
    const deployPath =
      /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)(\/scale)?$/.exec(
        r.path,
      );
    if (deployPath) {
      const [, namespace, name, scale] = deployPath;
      const found = this.find('Deployment', namespace, name);
      if (!found) {
        return {
          status: 404,
          json: status(
            404,
            'NotFound',
            `deployments.apps "${name}" not found`,
            {
              name,
              group: 'apps',
              kind: 'deployments',
            },
          ),
        };
      }
      if (r.method === 'GET' && !scale) {
        const rollout = this.rollouts.get(found.metadata.uid);
        if (
          rollout &&
          advanceRollout(this.objects, found, rollout, this.rolloutMode)
        ) {
          this.rollouts.delete(found.metadata.uid);
        }
        return { status: 200, json: found };
      }
      if (r.method === 'PATCH')
        return this.patchDeployment(found, r, Boolean(scale));
    }
    if (
      r.path.startsWith(`/api/v1/namespaces/${NAMESPACE}`) ||
      r.path.startsWith('/api')
    ) {
      return {
        status: 404,
        json: status(
          404,
          'NotFound',
          'the server could not find the requested resource',
          {},
        ),
      };
    }
    return { status: 404, text: '404 page not found\n' };
  }

  private log(found: KubeObject, query: Record<string, string>) {
    const name = found.metadata.name;
    const containers = (found.spec as { containers: { name: string }[] })
      .containers;
    const container =
      query.container ?? (containers.length === 1 ? containers[0].name : '');
    if (!containers.some(c => c.name === container)) {
      return {
        status: 400,
        json: status(
          400,
          'BadRequest',
          `container ${container} is not valid for pod ${name}`,
        ),
      };
    }
    // `previous` is a boolean query parameter: present without "false" is true.
    const previous = query.previous !== undefined && query.previous !== 'false';
    const text = this.logs.get(
      `${name}/${container}${previous ? '/previous' : ''}`,
    );
    if (previous && text === undefined) {
      return {
        status: 400,
        json: status(
          400,
          'BadRequest',
          `previous terminated container "${container}" in pod "${name}" not found`,
        ),
      };
    }
    let lines = (text ?? '').split('\n').filter(Boolean);
    if (query.tailLines) lines = lines.slice(-Number(query.tailLines));
    return { status: 200, text: lines.map(l => `${l}\n`).join('') };
  }

  private patchDeployment(
    found: KubeObject,
    r: RecordedRequest,
    scale: boolean,
  ) {
    const types = [
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
      'application/json-patch+json',
    ];
    if (!types.includes((r.contentType ?? '').split(';')[0])) {
      return {
        status: 415,
        json: status(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
        ),
      };
    }
    const spec = found.spec as Record<string, any>;
    const patch = (r.body ?? {}) as Record<string, any>;
    if (scale) {
      const replicas = patch.spec?.replicas;
      if (!Number.isInteger(replicas) || replicas < 0) {
        return {
          status: 422,
          json: status(
            422,
            'Invalid',
            `Scale.autoscaling "${
              found.metadata.name
            }" is invalid: spec.replicas: Invalid value: ${JSON.stringify(
              replicas,
            )}: must be greater than or equal to 0`,
          ),
        };
      }
      spec.replicas = replicas;
      found.metadata.resourceVersion = String(
        Number(found.metadata.resourceVersion) + 1,
      );
      return {
        status: 200,
        json: {
          kind: 'Scale',
          apiVersion: 'autoscaling/v1',
          metadata: {
            name: found.metadata.name,
            namespace: found.metadata.namespace,
            uid: found.metadata.uid,
            resourceVersion: found.metadata.resourceVersion,
            creationTimestamp: found.metadata.creationTimestamp,
          },
          spec: { replicas },
          status: {
            replicas: (found.status as any).replicas,
            selector: `app=${found.metadata.labels?.app}`,
          },
        },
      };
    }
    const before = canonicalJson(spec.template);
    if ((r.contentType ?? '').startsWith('application/json-patch+json')) {
      // the one operation `kubectl rollout undo` sends
      const ops = Array.isArray(r.body) ? (r.body as any[]) : [];
      const ok =
        ops.length === 1 &&
        ops[0].op === 'replace' &&
        ops[0].path === '/spec/template' &&
        ops[0].value?.spec?.containers?.length > 0;
      if (!ok) {
        return {
          status: 422,
          json: status(
            422,
            'Invalid',
            `Deployment.apps "${found.metadata.name}" is invalid: spec.template.spec.containers: Required value`,
          ),
        };
      }
      spec.template = ops[0].value;
    } else {
      const annotations = patch.spec?.template?.metadata?.annotations;
      if (annotations && typeof annotations === 'object') {
        spec.template.metadata.annotations = {
          ...spec.template.metadata.annotations,
          ...annotations,
        };
      }
      // strategic merge: containers are merged by name
      const containers = patch.spec?.template?.spec?.containers;
      for (const c of Array.isArray(containers) ? containers : []) {
        const into = spec.template.spec.containers.find(
          (x: any) => x.name === c?.name,
        );
        if (into) Object.assign(into, c);
        else spec.template.spec.containers.push(c);
      }
    }
    if (canonicalJson(spec.template) !== before) {
      this.rollouts.set(found.metadata.uid, startRollout(this.objects, found));
    }
    found.metadata.generation = Number(found.metadata.generation) + 1;
    found.metadata.resourceVersion = String(
      Number(found.metadata.resourceVersion) + 1,
    );
    return { status: 200, json: found };
  }
}
