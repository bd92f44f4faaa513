import type { Entity } from '@backstage/catalog-model';
import { apiServerUrl, clusterFromEntity } from './CatalogClusterSupplier';

const resource = (
  annotations: Record<string, string>,
  extra: Partial<Entity['metadata']> = {},
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'prod-1', namespace: 'default', annotations, ...extra },
  spec: { type: 'kubernetes-cluster', owner: 'Ops', environment: 'prod' },
});

describe('apiServerUrl', () => {
  it.each([
    ['https://k8s.example.com:6443', 'https://k8s.example.com:6443'],
    ['https://k8s.example.com/', 'https://k8s.example.com'],
    ['http://127.0.0.1:18390', 'http://127.0.0.1:18390'],
    ['http://localhost:8001', 'http://localhost:8001'],
  ])('takes %s', (value, url) => {
    expect(apiServerUrl(value)).toEqual({ url });
  });

  it.each([
    [undefined, 'no kubernetes.io/api-server annotation'],
    ['k8s.example.com', 'kubernetes.io/api-server is not a URL'],
    ['http://k8s.example.com', 'must be https'],
    ['http://127.0.0.1.example.com', 'must be https'],
    ['ftp://127.0.0.1', 'must be https'],
    ['https://user:pw@k8s.example.com', 'may not carry'],
    ['https://k8s.example.com/?x=1', 'may not carry'],
    ['https://k8s.example.com/#x', 'may not carry'],
  ])('refuses %s', (value, reason) => {
    const result = apiServerUrl(value);
    expect('error' in result && result.error).toContain(reason);
  });
});

describe('clusterFromEntity', () => {
  it('names the credential and the resource, never skips TLS verification', () => {
    expect(
      clusterFromEntity(
        resource({
          'kubernetes.io/api-server': 'https://k8s.example.com:6443',
          'opsdeck.io/kubernetes-credential': 'prod-1-token',
          'kubernetes.io/skip-tls-verify': 'true',
          'kubernetes.io/api-server-certificate-authority': 'LS0tLS1CRUdJTg==',
          // a hostile dashboard link (a script URL) is dropped
          'kubernetes.io/dashboard-url': ['javascript', 'alert(1)'].join(':'),
        }),
      ),
    ).toEqual({
      cluster: {
        name: 'prod-1',
        title: 'prod-1',
        url: 'https://k8s.example.com:6443',
        skipTLSVerify: false,
        skipMetricsLookup: true,
        caData: 'LS0tLS1CRUdJTg==',
        authMetadata: {
          'kubernetes.io/auth-provider': 'serviceAccount',
          'opsdeck.io/credential': 'prod-1-token',
          'opsdeck.io/cluster-ref': 'resource:default/prod-1',
          'opsdeck.io/cluster-owner': 'group:default/ops',
          'opsdeck.io/cluster-environment': 'prod',
        },
      },
    });
  });

  it('refuses a resource without a credential, and names clusters outside default by namespace', () => {
    expect(
      clusterFromEntity(
        resource({ 'kubernetes.io/api-server': 'https://k8s.example.com' }),
      ),
    ).toEqual({ error: 'no opsdeck.io/kubernetes-credential annotation' });
    const other = clusterFromEntity(
      resource(
        {
          'kubernetes.io/api-server': 'https://k8s.example.com',
          'opsdeck.io/kubernetes-credential': 't',
        },
        { namespace: 'finance', title: 'Finance' },
      ),
    );
    expect('cluster' in other && other.cluster.name).toBe('finance.prod-1');
    expect('cluster' in other && other.cluster.title).toBe('Finance');
  });
});
