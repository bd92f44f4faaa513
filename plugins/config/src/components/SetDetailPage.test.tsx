import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router-dom';
import { SetDetailPage } from './SetDetailPage';
import { SetList } from './SetList';

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

type Call = { url: string; method: string; body?: string };

function backend(calls: Call[]) {
  return jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    const method = init?.method ?? 'GET';
    calls.push({ url, method, body: init?.body as string | undefined });
    const json = (x: unknown, status = 200) =>
      new Response(JSON.stringify(x), {
        status,
        headers: { 'Content-Type': 'application/json' },
      });
    // the shared host field's live count (cmdb)
    if (url.endsWith('/api/cmdb/hosts/resolve')) {
      const { selector } = JSON.parse(String(init?.body));
      const names: string[] = selector.names ?? [];
      return json({
        items: names.map(name => ({ name })),
        total: names.length,
      });
    }
    if (url.endsWith('/sets') && method === 'POST') {
      return json({ ...set, ...JSON.parse(String(init?.body)), id: 8 }, 201);
    }
    if (url.endsWith('/sets')) return json({ items: [set] });
    if (url.endsWith('/sets/7') && method === 'PUT') {
      return json({ ...set, ...JSON.parse(String(init?.body)) });
    }
    if (url.endsWith('/sets/7')) return json(set);
    if (url.endsWith('/sets/7/versions') && init?.method === 'POST') {
      return json({ ...v1, version: 2, message: 'second' }, 201);
    }
    if (url.endsWith('/sets/7/versions')) return json({ items: [v1] });
    return json({ error: { name: 'NotFoundError', message: url } }, 404);
  });
}

const groups = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'ops', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
];

async function render(
  authorize: AuthorizeResult.ALLOW | AuthorizeResult.DENY,
  path = '/config/7',
) {
  const calls: Call[] = [];
  await renderInTestApp(
    <Routes>
      <Route path="/config" element={<SetList />} />
      <Route path="/config/:id" element={<SetDetailPage />} />
    </Routes>,
    {
      initialRouteEntries: [path],
      apis: [
        [catalogApiRef, catalogApiMock({ entities: groups })],
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

async function waitForDialogToClose() {
  await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
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

  it('edits which hosts a set applies to with the shared host selector, keeping the saved selector shape', async () => {
    const calls = await render(AuthorizeResult.ALLOW);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Edit set' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Edit config set',
    });
    // the set's hosts are chips of the shared field, not typed refs
    expect(
      within(dialog).getByRole('button', { name: 'web-01' }),
    ).toBeInTheDocument();
    await userEvent.type(
      within(dialog).getByLabelText('Host names'),
      'web-02 ',
    );
    await userEvent.type(within(dialog).getByLabelText('Environment'), 'prod');
    expect(
      await within(dialog).findByText('2 hosts match: web-01, web-02'),
    ).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitForDialogToClose();
    const saved = calls.find(c => c.method === 'PUT')!;
    expect(saved.url).toMatch(/\/api\/config\/sets\/7$/);
    expect(JSON.parse(saved.body!)).toEqual({
      name: 'web',
      kind: 'text',
      owner: 'group:default/ops',
      selector: { names: ['web-01', 'web-02'], environment: 'prod' },
      targetPath: '/etc/app.conf',
    });
  });

  it('creates a set on hosts picked with the shared host selector (none picked: no create)', async () => {
    const calls = await render(AuthorizeResult.ALLOW, '/config');
    await userEvent.click(
      await screen.findByRole('button', { name: 'New config set' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'New config set',
    });
    fireEvent.change(within(dialog).getByLabelText('Name'), {
      target: { value: 'lb' },
    });
    fireEvent.mouseDown(within(dialog).getByLabelText('Owner group'));
    await userEvent.click(await screen.findByRole('option', { name: 'ops' }));
    fireEvent.change(
      within(dialog).getByLabelText('Target path on the hosts'),
      {
        target: { value: '/etc/lb.conf' },
      },
    );
    // a restart command is asked for redis sets only
    expect(within(dialog).queryByLabelText('Restart command')).toBeNull();
    fireEvent.mouseDown(within(dialog).getByLabelText('Kind'));
    await userEvent.click(await screen.findByRole('option', { name: 'redis' }));
    fireEvent.change(within(dialog).getByLabelText('Restart command'), {
      target: { value: 'sudo systemctl restart redis-server' },
    });
    const create = within(dialog).getByRole('button', { name: 'Create' });
    expect(create).toBeDisabled();
    await userEvent.type(
      within(dialog).getByLabelText('Host names'),
      'web-01 ',
    );
    expect(create).toBeEnabled();
    await userEvent.click(create);
    // saved, the dialog closes and the new set's page opens
    await waitForDialogToClose();
    const created = calls.find(
      c => c.method === 'POST' && c.url.endsWith('/api/config/sets'),
    )!;
    expect(JSON.parse(created.body!)).toEqual({
      name: 'lb',
      kind: 'redis',
      owner: 'group:default/ops',
      selector: { names: ['web-01'] },
      targetPath: '/etc/lb.conf',
      restartCommand: 'sudo systemctl restart redis-server',
    });
  });
});
