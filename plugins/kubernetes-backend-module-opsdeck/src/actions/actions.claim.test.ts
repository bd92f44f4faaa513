import { NAMESPACE, OTHER_COMPONENT_ID } from '../testUtils/fixtureObjects';
import { useActionsFixture } from '../__testUtils__/actionsFixture';
import { component } from '../__testUtils__/testBackend';

const TOKEN = 'fixture-sa-token-claim-51c0';

/**
 * The workload check trusts the component's `backstage.io/kubernetes-id`,
 * which whoever writes the component's catalog-info sets: a dev's own
 * component that claims another team's id must not make that team's
 * workloads theirs.
 */
describe('workload actions: a kubernetes-id another component claims', () => {
  // owned by dev (dave's group), claiming ops' storefront-web workloads
  const rogue = component('dave-tool', 'group:default/dev', {
    'backstage.io/kubernetes-id': OTHER_COMPONENT_ID,
  });

  const fx = useActionsFixture(TOKEN, {
    clusters: [{ name: 'k8s-test', environment: 'staging' }],
    entities: [rogue],
  });

  it("refuses to act on another component's workloads through a claimed id", async () => {
    const pod = fx.cluster.pods(OTHER_COMPONENT_ID)[0].metadata.name;
    const target = {
      entityRef: 'component:default/dave-tool',
      cluster: 'k8s-test',
      namespace: NAMESPACE,
    };
    for (const [path, body] of [
      ['/deployments/restart', { ...target, name: OTHER_COMPONENT_ID }],
      [
        '/deployments/scale',
        { ...target, name: OTHER_COMPONENT_ID, replicas: 0 },
      ],
      ['/pods/delete', { ...target, name: pod }],
    ] as const) {
      const res = await fx.post(path, 'dave', body);
      expect([path, res.status]).toEqual([path, 403]);
      // the other claimer is not named: dave cannot see it
      expect(res.body.error.message).toBe(
        `backstage.io/kubernetes-id ${OTHER_COMPONENT_ID} of component:default/dave-tool is claimed by 1 other component(s) too: no action on its workloads`,
      );
    }
    expect(fx.writes()).toEqual([]);
    expect(
      fx.backend.events
        .filter(e => e.eventId.startsWith('kubernetes-'))
        .map(e => e.status),
    ).toEqual(['failed', 'failed', 'failed']);
  });
});
