import type { Entity } from '@backstage/catalog-model';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import { RunbooksCard } from './RunbooksCard';

const BASE = 'http://example.test';

const host: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'pay-app-01',
    namespace: 'default',
    annotations: { 'opsdeck.io/runbooks': 'component:default/storefront-web' },
  },
  spec: { type: 'host', owner: 'ops' },
  relations: [
    { type: 'dependencyOf', targetRef: 'component:default/payments-api' },
  ],
};

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

function render(entity: Entity, fetch: jest.Mock) {
  return renderInTestApp(
    <EntityProvider entity={entity}>
      <RunbooksCard />
    </EntityProvider>,
    {
      apis: [
        mockApis.discovery({ baseUrl: BASE }),
        mockApis.fetch({
          baseImplementation: fetch as typeof globalThis.fetch,
        }),
      ],
    },
  );
}

describe('RunbooksCard', () => {
  it("lists the runbooks of the entities a host's runbooks come from, built on demand", async () => {
    let paymentsBuilt = false;
    const fetch = jest.fn(async (input: RequestInfo | URL) => {
      const url = new URL(String(input));
      if (
        url.pathname ===
        '/api/techdocs/static/docs/default/component/storefront-web/search/search_index.json'
      ) {
        return json({
          docs: [
            { location: '', title: 'Storefront web' },
            { location: 'runbooks/failover/', title: 'Session cache failover' },
            { location: 'runbooks/failover/#steps', title: 'Steps' },
          ],
        });
      }
      if (
        url.pathname ===
        '/api/techdocs/static/docs/default/component/payments-api/search/search_index.json'
      ) {
        return paymentsBuilt
          ? json({
              docs: [
                {
                  location: 'runbooks/disk-full/',
                  title: 'Disk full on an app host',
                },
              ],
            })
          : json({ error: { name: 'NotFoundError', message: 'no docs' } }, 404);
      }
      if (
        url.pathname === '/api/techdocs/sync/default/component/payments-api'
      ) {
        paymentsBuilt = true;
        return new Response('event: finish\ndata: {"updated":true}\n\n', {
          headers: { 'Content-Type': 'text/event-stream' },
        });
      }
      return json(
        { error: { name: 'NotFoundError', message: url.pathname } },
        404,
      );
    });
    await render(host, fetch);

    const runbooks = await screen.findAllByTestId('runbook');
    expect(runbooks.map(r => r.textContent)).toEqual([
      'Session cache failover',
      'Disk full on an app host',
    ]);
    expect(
      screen.getByRole('link', { name: 'Disk full on an app host' }),
    ).toHaveAttribute(
      'href',
      '/docs/default/component/payments-api/runbooks/disk-full/',
    );
    expect(
      screen.getByText('From the docs of component:default/payments-api'),
    ).toBeInTheDocument();
    expect(paymentsBuilt).toBe(true);
  });

  it('says how to add runbooks when the docs have none, and shows a failed build', async () => {
    const component: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'api',
        namespace: 'default',
        annotations: { 'backstage.io/techdocs-ref': 'dir:.' },
      },
    };
    await render(
      component,
      jest.fn(async () => json({ docs: [{ location: '', title: 'API' }] })),
    );
    expect(await screen.findByTestId('runbooks-empty')).toHaveTextContent(
      'No runbooks yet: add pages under docs/runbooks/ of component:default/api.',
    );
  });

  it('shows a failed build', async () => {
    const component: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'api',
        namespace: 'default',
        annotations: { 'backstage.io/techdocs-ref': 'dir:.' },
      },
    };
    const fetch = jest.fn(async (input: RequestInfo | URL) =>
      String(input).includes('/sync/')
        ? new Response('event: error\ndata: "mkdocs failed"\n\n')
        : json({ error: { name: 'NotFoundError', message: 'no docs' } }, 404),
    );
    await render(component, fetch);
    expect(
      await screen.findByText(
        'The docs of component:default/api could not be built: mkdocs failed',
      ),
    ).toBeInTheDocument();
  });
});
