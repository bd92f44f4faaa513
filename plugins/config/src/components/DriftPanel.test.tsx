import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { DriftPanel } from './HostPanels';

describe('DriftPanel', () => {
  it('adopts the live file as the drift check showed it (its sha256)', async () => {
    const json = (x: unknown, status = 200) =>
      new Response(JSON.stringify(x), {
        status,
        headers: { 'Content-Type': 'application/json' },
      });
    const bodies: unknown[] = [];
    const fetch = jest.fn(
      async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = String(input instanceof Request ? input.url : input);
        if (url.endsWith('/sets/7/drift')) {
          return json({
            items: [
              {
                host: 'resource:default/web-01',
                pushedVersion: 2,
                drifted: true,
                diff: '--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n',
                liveSha256: 'a'.repeat(64),
              },
            ],
          });
        }
        if (url.endsWith('/sets/7/adopt')) {
          bodies.push(JSON.parse(String(init?.body)));
          return json({ setId: 7, version: 3 }, 201);
        }
        return json({}, 404);
      },
    );
    await renderInTestApp(
      <DriftPanel setId={7} canAdopt onAdopted={() => undefined} />,
      {
        apis: [
          mockApis.discovery({ baseUrl: 'http://localhost:7007/api' }),
          mockApis.fetch({
            baseImplementation: fetch as typeof globalThis.fetch,
          }),
        ] as const,
      } as any,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Check drift' }));
    fireEvent.click(
      await screen.findByRole('button', { name: 'Adopt live as new version' }),
    );
    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toEqual({
      host: 'resource:default/web-01',
      liveSha256: 'a'.repeat(64),
    });
  });
});
