import type { KubeObject } from './fixtureObjects';

/**
 * A running Pod in the API's shape (`kubectl get pod -o json` of a
 * containerd node: `imageID` is `<repository>@sha256:<digest>`, what the
 * kubelet reports once the image is pulled), with one container and,
 * optionally, an init container that ran to completion. For tests of where
 * image digests run.
 */
export function runningPod(p: {
  namespace: string;
  name: string;
  /** `127.0.0.1:5000/shop/web:v3` */
  image: string;
  /** `127.0.0.1:5000/shop/web@sha256:…` */
  imageID: string;
  init?: { image: string; imageID: string };
  uid?: string;
}): KubeObject {
  const uid = p.uid ?? '5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f';
  const started = '2026-12-03T08:12:31Z';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: p.namespace,
      uid,
      resourceVersion: '612044',
      creationTimestamp: '2026-12-03T08:12:20Z',
      labels: { app: p.name.replace(/-[a-z0-9]+$/, '') },
    },
    spec: {
      containers: [
        {
          name: 'app',
          image: p.image,
          imagePullPolicy: 'IfNotPresent',
          resources: {},
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      ...(p.init
        ? {
            initContainers: [
              {
                name: 'migrate',
                image: p.init.image,
                imagePullPolicy: 'IfNotPresent',
                resources: {},
                terminationMessagePath: '/dev/termination-log',
                terminationMessagePolicy: 'File',
              },
            ],
          }
        : {}),
      dnsPolicy: 'ClusterFirst',
      nodeName: 'worker-1',
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      serviceAccountName: 'default',
      terminationGracePeriodSeconds: 30,
    },
    status: {
      phase: 'Running',
      qosClass: 'BestEffort',
      hostIP: '10.0.12.6',
      podIP: '10.244.1.18',
      podIPs: [{ ip: '10.244.1.18' }],
      startTime: '2026-12-03T08:12:20Z',
      conditions: [
        {
          type: 'Initialized',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: started,
        },
        {
          type: 'Ready',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: started,
        },
        {
          type: 'ContainersReady',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: started,
        },
        {
          type: 'PodScheduled',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: '2026-12-03T08:12:20Z',
        },
      ],
      ...(p.init
        ? {
            initContainerStatuses: [
              {
                name: 'migrate',
                ready: true,
                restartCount: 0,
                image: p.init.image,
                imageID: p.init.imageID,
                containerID: `containerd://${uid.replace(
                  /-/g,
                  '',
                )}00000000000000000000000000000001`.slice(0, 77),
                started: false,
                lastState: {},
                state: {
                  terminated: {
                    exitCode: 0,
                    reason: 'Completed',
                    startedAt: '2026-12-03T08:12:22Z',
                    finishedAt: '2026-12-03T08:12:29Z',
                  },
                },
              },
            ],
          }
        : {}),
      containerStatuses: [
        {
          name: 'app',
          ready: true,
          started: true,
          restartCount: 0,
          image: p.image,
          imageID: p.imageID,
          containerID: `containerd://${uid.replace(
            /-/g,
            '',
          )}00000000000000000000000000000002`.slice(0, 77),
          lastState: {},
          state: { running: { startedAt: started } },
        },
      ],
    },
  };
}
