/**
 * Kubernetes objects of the fixture cluster: one Deployment `payments-api`
 * (namespace `payments`, label `backstage.io/kubernetes-id: payments-api`)
 * with its ReplicaSet, two Pods (one restarted once after an OOM kill, so it
 * has a previous container), a Service and Events; and one Deployment of
 * another component (`storefront-web`) that must never show up for
 * payments-api.
 *
 * The shapes follow the Kubernetes API reference (v1.30:
 * https://kubernetes.io/docs/reference/kubernetes-api/, workload-resources
 * and cluster-resources) and what `kubectl get -o json` prints on a real
 * cluster (see the module README for the recorded outputs they were checked
 * against): server-set metadata (uid, resourceVersion, generation,
 * creationTimestamp, managedFields left out as the list calls of the
 * kubernetes backend do not read them), ownerReferences from Deployment to
 * ReplicaSet to Pod, the pod-template-hash label, defaulted spec fields and
 * status conditions.
 */

export const NAMESPACE = 'payments';
export const COMPONENT_ID = 'payments-api';
export const OTHER_COMPONENT_ID = 'storefront-web';
const CREATED = '2026-11-30T08:12:41Z';
const TEMPLATE_HASH = '7c9d5b8f6d';

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

function podTemplate(id: string, image: string) {
  return {
    metadata: {
      creationTimestamp: null,
      labels: { app: id, 'backstage.io/kubernetes-id': id },
    },
    spec: {
      containers: [
        {
          name: 'api',
          image,
          imagePullPolicy: 'IfNotPresent',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          resources: {
            limits: { cpu: '500m', memory: '256Mi' },
            requests: { cpu: '100m', memory: '128Mi' },
          },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      dnsPolicy: 'ClusterFirst',
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
    },
  };
}

export function deployment(id: string, uid: string, replicas = 2): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: id,
      namespace: NAMESPACE,
      uid,
      resourceVersion: '481203',
      generation: 3,
      creationTimestamp: CREATED,
      labels: { app: id, 'backstage.io/kubernetes-id': id },
      annotations: { 'deployment.kubernetes.io/revision': '3' },
    },
    spec: {
      replicas,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: { app: id } },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
      },
      template: podTemplate(id, `registry.example.com/shop/${id}:1.8.2`),
    },
    status: {
      observedGeneration: 3,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      conditions: [
        {
          type: 'Available',
          status: 'True',
          lastUpdateTime: '2026-12-01T02:03:11Z',
          lastTransitionTime: '2026-12-01T02:03:11Z',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        },
        {
          type: 'Progressing',
          status: 'True',
          lastUpdateTime: '2026-12-01T02:03:11Z',
          lastTransitionTime: '2026-11-30T08:12:41Z',
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${id}-${TEMPLATE_HASH}" has successfully progressed.`,
        },
      ],
    },
  };
}

export function replicaSet(owner: KubeObject, uid: string): KubeObject {
  const id = owner.metadata.name;
  const replicas = (owner.spec as { replicas: number }).replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${id}-${TEMPLATE_HASH}`,
      namespace: NAMESPACE,
      uid,
      resourceVersion: '481199',
      generation: 1,
      creationTimestamp: '2026-12-01T02:02:40Z',
      labels: {
        app: id,
        'backstage.io/kubernetes-id': id,
        'pod-template-hash': TEMPLATE_HASH,
      },
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(replicas),
        'deployment.kubernetes.io/max-replicas': String(replicas + 1),
        'deployment.kubernetes.io/revision': '3',
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: id,
          uid: owner.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      replicas,
      selector: {
        matchLabels: { app: id, 'pod-template-hash': TEMPLATE_HASH },
      },
      template: podTemplate(id, `registry.example.com/shop/${id}:1.8.2`),
    },
    status: {
      replicas,
      fullyLabeledReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      observedGeneration: 1,
    },
  };
}

export function pod(
  owner: KubeObject,
  suffix: string,
  uid: string,
  restarts: number,
): KubeObject {
  const id = (owner.metadata.labels as Record<string, string>).app;
  const name = `${owner.metadata.name}-${suffix}`;
  const image = `registry.example.com/shop/${id}:1.8.2`;
  const imageID = `registry.example.com/shop/${id}@sha256:3f1c0d5e8a9b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d`;
  const containerStatus: Record<string, unknown> = {
    name: 'api',
    ready: true,
    started: true,
    restartCount: restarts,
    image,
    imageID,
    containerID: `containerd://${uid.replace(
      /-/g,
      '',
    )}a1b2c3d4e5f6a7b8c9d0e1f2`,
    state: { running: { startedAt: '2026-12-02T21:40:07Z' } },
  };
  if (restarts > 0) {
    containerStatus.lastState = {
      terminated: {
        exitCode: 137,
        reason: 'OOMKilled',
        startedAt: '2026-12-01T02:02:44Z',
        finishedAt: '2026-12-02T21:40:05Z',
        containerID: `containerd://${uid.replace(
          /-/g,
          '',
        )}0f1e2d3c4b5a69788796a5b4`,
      },
    };
  } else {
    containerStatus.lastState = {};
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${owner.metadata.name}-`,
      namespace: NAMESPACE,
      uid,
      resourceVersion: '512377',
      creationTimestamp: '2026-12-01T02:02:40Z',
      labels: {
        app: id,
        'backstage.io/kubernetes-id': id,
        'pod-template-hash': TEMPLATE_HASH,
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: owner.metadata.name,
          uid: owner.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      ...(podTemplate(id, image).spec as object),
      nodeName: 'worker-2',
      serviceAccountName: 'default',
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
    },
    status: {
      phase: 'Running',
      qosClass: 'Burstable',
      hostIP: '10.0.12.7',
      podIP: `10.244.2.${restarts + 31}`,
      podIPs: [{ ip: `10.244.2.${restarts + 31}` }],
      startTime: '2026-12-01T02:02:40Z',
      conditions: [
        {
          type: 'Initialized',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: '2026-12-01T02:02:40Z',
        },
        {
          type: 'Ready',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: '2026-12-02T21:40:08Z',
        },
        {
          type: 'ContainersReady',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: '2026-12-02T21:40:08Z',
        },
        {
          type: 'PodScheduled',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: '2026-12-01T02:02:40Z',
        },
      ],
      containerStatuses: [containerStatus],
    },
  };
}

export function service(id: string, uid: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: id,
      namespace: NAMESPACE,
      uid,
      resourceVersion: '480877',
      creationTimestamp: CREATED,
      labels: { app: id, 'backstage.io/kubernetes-id': id },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.96.41.17',
      clusterIPs: ['10.96.41.17'],
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }],
      selector: { app: id },
      sessionAffinity: 'None',
    },
    status: { loadBalancer: {} },
  };
}

export function event(
  involved: KubeObject,
  reason: string,
  message: string,
  type: 'Normal' | 'Warning',
  uid: string,
  count = 1,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      // Real event names are the object's name and a hex timestamp suffix.
      name: `${involved.metadata.name}.18a0b7c${uid
        .slice(0, 9)
        .replace(/-/g, '')}`,
      namespace: NAMESPACE,
      uid,
      resourceVersion: '512380',
      creationTimestamp: '2026-12-02T21:40:05Z',
    },
    involvedObject: {
      apiVersion: involved.apiVersion,
      kind: involved.kind,
      name: involved.metadata.name,
      namespace: NAMESPACE,
      uid: involved.metadata.uid,
      resourceVersion: involved.metadata.resourceVersion,
      ...(involved.kind === 'Pod' ? { fieldPath: 'spec.containers{api}' } : {}),
    },
    reason,
    message,
    source: {
      component: involved.kind === 'Pod' ? 'kubelet' : 'deployment-controller',
      host: 'worker-2',
    },
    firstTimestamp: '2026-12-02T21:40:05Z',
    lastTimestamp: '2026-12-02T21:40:07Z',
    count,
    type,
    eventTime: null,
    reportingComponent:
      involved.kind === 'Pod' ? 'kubelet' : 'deployment-controller',
    reportingInstance: involved.kind === 'Pod' ? 'worker-2' : '',
  };
}
