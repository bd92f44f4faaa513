import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import { AlertsCard } from './Alerts';

const BASE = 'http://example.test';

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

const firing = (id: number, entity: string) => ({
  id,
  fingerprint: `f${id}`,
  status: 'firing',
  startsAt: '2026-12-03T08:00:00Z',
  alertname: 'HostDown',
  entityRef: `resource:default/${entity}`,
  summary: `${entity} down`,
  severity: 'critical',
  labels: {},
  annotations: {},
  receivedAt: '2026-12-03T08:00:01Z',
  test: false,
});

/** A fake monitoring backend answering `answer`; records the URLs asked for. */
function fakeBackend(answer: () => Response) {
  return jest.fn(async (input: RequestInfo | URL) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.pathname === '/api/monitoring/alerts') return answer();
    return json({ error: { name: 'NotFoundError', message: 'nope' } }, 404);
  });
}

async function renderCard(fetch: ReturnType<typeof fakeBackend>) {
  await renderInTestApp(<AlertsCard />, {
    apis: [
      mockApis.discovery({ baseUrl: BASE }),
      mockApis.fetch({ baseImplementation: fetch as typeof globalThis.fetch }),
      mockApis.identity(),
    ],
  });
}

const alertCalls = (fetch: ReturnType<typeof fakeBackend>) =>
  fetch.mock.calls
    .map(([input]) => new URL(String(input)))
    .filter(url => url.pathname === '/api/monitoring/alerts');

describe('AlertsCard', () => {
  it('asks the backend for the alerts firing now and shows its count and list as answered', async () => {
    const fetch = fakeBackend(() =>
      json({ items: [firing(9, 'web-01'), firing(7, 'db-01')], total: 23 }),
    );
    await renderCard(fetch);
    const list = await screen.findByTestId('workbench-alerts');
    expect(within(list).getByText('web-01 down')).toBeInTheDocument();
    expect(within(list).getByText('db-01 down')).toBeInTheDocument();
    // the count is the backend's total, not the rows of the page
    expect(screen.getByText('23 firing')).toBeInTheDocument();
    const calls = alertCalls(fetch);
    expect(calls).toHaveLength(1);
    // the filter is the backend's: the card decides nothing on the client
    expect(calls[0].searchParams.get('state')).toBe('firing');
    expect(calls[0].searchParams.get('limit')).toBe('8');
    expect(calls[0].searchParams.get('offset')).toBeNull();
  });

  it('says there is nothing firing when the backend answers none', async () => {
    const fetch = fakeBackend(() => json({ items: [], total: 0 }));
    await renderCard(fetch);
    const list = await screen.findByTestId('workbench-alerts');
    expect(list).toHaveTextContent('No alert is firing on what you can see.');
  });
});
