import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { fireEvent, screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { SetDetailPage } from './SetDetailPage';

const set = {
  id: 7,
  name: 'web',
  kind: 'text',
  owner: 'group:default/ops',
  selector: { names: ['web-01'] },
  targetPath: '/etc/app.conf',
  createdBy: 'user:default/bob',
  createdAt: '2026-12-01T00:00:00Z',
  updatedAt: '2026-12-01T00:00:00Z',
  latestVersion: 1,
};
const v1 = {
  setId: 7,
  version: 1,
  template: 'a = {{vars.a}}\n',
  variables: { defaults: { a: 1 } },
  message: 'first',
  author: 'user:default/bob',
  createdAt: '2026-12-01T00:00:00Z',
};

function backend(calls: Array<{ url: string; body?: string }>) {
  return jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    calls.push({ url, body: init?.body as string | undefined });
    const json = (x: unknown, status = 200) =>
      new Response(JSON.stringify(x), {
        status,
        headers: { 'Content-Type': 'application/json' },
      });
    if (url.endsWith('/sets/7')) return json(set);
    if (url.endsWith('/sets/7/versions') && init?.method === 'POST') {
      return json({ ...v1, version: 2, message: 'second' }, 201);
    }
    if (url.endsWith('/sets/7/versions')) return json({ items: [v1] });
    return json({ error: { name: 'NotFoundError', message: url } }, 404);
  });
}

async function render(authorize: AuthorizeResult.ALLOW | AuthorizeResult.DENY) {
  const calls: Array<{ url: string; body?: string }> = [];
  await renderInTestApp(
    <Routes>
      <Route path="/config/:id" element={<SetDetailPage />} />
    </Routes>,
    {
      initialRouteEntries: ['/config/7'],
      apis: [
        mockApis.discovery({ baseUrl: 'http://localhost:7007/api' }),
        mockApis.fetch({
          baseImplementation: backend(calls) as typeof globalThis.fetch,
        }),
        mockApis.permission({ authorize }),
      ] as const,
    } as any,
  );
  return calls;
}

describe('SetDetailPage', () => {
  it('lets an editor save the template as a new version (labelled fields)', async () => {
    const calls = await render(AuthorizeResult.ALLOW);
    const template = await screen.findByLabelText(/^Template \(Handlebars/);
    expect(template).toHaveValue('a = {{vars.a}}\n');
    fireEvent.change(template, { target: { value: 'a = {{vars.a}}\nb\n' } });
    fireEvent.change(screen.getByLabelText('What changed'), {
      target: { value: 'second' },
    });
    fireEvent.click(
      screen.getByRole('button', { name: 'Save as new version' }),
    );
    expect(await screen.findByText('Saved version 2.')).toBeInTheDocument();
    const saved = calls.find(c => c.body)!;
    expect(JSON.parse(saved.body!)).toEqual({
      template: 'a = {{vars.a}}\nb\n',
      variables: { defaults: { a: 1 } },
      message: 'second',
    });
    expect(screen.getByRole('button', { name: 'Push' })).toBeInTheDocument();
  });
});
