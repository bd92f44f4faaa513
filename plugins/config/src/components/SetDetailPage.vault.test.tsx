import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { fireEvent, screen, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { SetDetailPage } from './SetDetailPage';

const set = {
  id: 7,
  name: 'redis',
  kind: 'redis',
  owner: 'group:default/ops',
  selector: { names: ['r1'] },
  targetPath: '/etc/redis/redis.conf',
  createdBy: 'user:default/bob',
  createdAt: '2026-12-01T00:00:00Z',
  updatedAt: '2026-12-01T00:00:00Z',
  latestVersion: 1,
};
// saved in clear before the rule: flagged by the backend
const v1 = {
  setId: 7,
  version: 1,
  template: 'requirepass {{vars.requirepass}}\n',
  variables: { defaults: { requirepass: 'old-clear' } },
  message: 'first',
  author: 'user:default/bob',
  createdAt: '2026-12-01T00:00:00Z',
  clearSecrets: ['defaults.requirepass'],
};

async function render() {
  const calls: Array<{ url: string; body?: string }> = [];
  const fetch = jest.fn(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      calls.push({ url, body: init?.body as string | undefined });
      const json = (x: unknown, status = 200) =>
        new Response(JSON.stringify(x), {
          status,
          headers: { 'Content-Type': 'application/json' },
        });
      if (url.endsWith('/api/vault/credentials')) {
        return json({
          items: [
            {
              name: 'redis-pass',
              type: 'password',
              owner: 'group:default/ops',
              allowedUses: ['config-secret'],
            },
            { name: 'web-login', type: 'ssh-key', allowedUses: ['ssh-login'] },
          ],
        });
      }
      if (url.endsWith('/sets/7')) return json(set);
      if (url.endsWith('/sets/7/versions') && init?.method === 'POST') {
        return json({ ...v1, version: 2, clearSecrets: undefined }, 201);
      }
      if (url.endsWith('/sets/7/versions')) return json({ items: [v1] });
      return json({ error: { name: 'NotFoundError', message: url } }, 404);
    },
  );
  await renderInTestApp(
    <Routes>
      <Route path="/config/:id" element={<SetDetailPage />} />
    </Routes>,
    {
      initialRouteEntries: ['/config/7'],
      apis: [
        mockApis.discovery({ baseUrl: 'http://localhost:7007/api' }),
        mockApis.fetch({
          baseImplementation: fetch as typeof globalThis.fetch,
        }),
        mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
      ] as const,
    } as any,
  );
  return calls;
}

describe('SetDetailPage vault variables', () => {
  it('flags clear secrets and picks a vault credential for a variable from the list', async () => {
    const calls = await render();
    expect(await screen.findByTestId('config-clear-secrets')).toHaveTextContent(
      'should move to the vault: defaults.requirepass',
    );
    fireEvent.change(screen.getByLabelText('Variable name'), {
      target: { value: 'requirepass' },
    });
    // a picker of the credentials the vault lists: passwords only
    fireEvent.mouseDown(screen.getByLabelText('Vault credential'));
    const options = within(await screen.findByRole('listbox')).getAllByRole(
      'option',
    );
    expect(options.map(o => o.textContent)).toEqual([
      'redis-pass (group:default/ops)',
    ]);
    fireEvent.click(options[0]);
    fireEvent.click(screen.getByRole('button', { name: 'Use vault secret' }));
    fireEvent.change(screen.getByLabelText('What changed'), {
      target: { value: 'to the vault' },
    });
    fireEvent.click(
      screen.getByRole('button', { name: 'Save as new version' }),
    );
    expect(await screen.findByText('Saved version 2.')).toBeInTheDocument();
    const saved = calls.find(c => c.body)!;
    expect(JSON.parse(saved.body!).variables).toEqual({
      defaults: { requirepass: { vault: 'redis-pass' } },
    });
  });
});
