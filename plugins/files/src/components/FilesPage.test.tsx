import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Distribution, FileVersion } from '../api/FilesClient';
import { FilesPage } from './FilesPage';

jest.setTimeout(90_000);

const BASE = 'http://example.test';

const file: FileVersion = {
  id: '11111111-1111-1111-1111-111111111111',
  name: 'app.tgz',
  version: 2,
  size: 3 * 1024 * 1024,
  sha256: 'ab'.repeat(32),
  uploader: 'user:default/alice',
  ownerGroup: 'group:default/ops',
  createdAt: '2026-03-01T10:00:00.000Z',
};

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

/** A fake files backend: one file, two hosts; a new distribution ends with one verified, one failed. */
function fakeFiles() {
  const posted: any[] = [];
  const distribution: Distribution = {
    id: '22222222-2222-2222-2222-222222222222',
    fileId: file.id,
    fileName: file.name,
    fileVersion: 2,
    size: file.size,
    sha256: file.sha256,
    targetPath: '/opt/app/app.tgz',
    concurrency: 10,
    strategy: 'direct',
    status: 'done',
    createdBy: 'user:default/alice',
    createdAt: '2026-03-01T11:00:00.000Z',
    hosts: [
      {
        host: 'resource:default/web-01',
        address: '127.0.0.1',
        port: 22301,
        state: 'verified',
        bytes: file.size,
        rate: 2 * 1024 * 1024,
        attempts: 1,
      },
      {
        host: 'resource:default/web-02',
        address: '127.0.0.1',
        port: 22302,
        state: 'failed',
        bytes: 0,
        rate: 0,
        attempts: 2,
        error: 'Cannot connect to opsdeck@127.0.0.1:22302',
      },
    ],
  };
  const fetch = jest.fn(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      const method = init?.method ?? 'GET';
      const path = url.pathname.replace(/^\/api\/files/, '');
      if (method === 'GET' && path === '/files') return json({ items: [file] });
      if (method === 'GET' && path === '/distributions') {
        return json({ items: posted.length ? [distribution] : [] });
      }
      // the shared host field's live count (cmdb)
      if (method === 'POST' && url.pathname === '/api/cmdb/hosts/resolve') {
        const { selector } = JSON.parse(String(init?.body));
        return json({
          items: (selector.names ?? []).map((name: string) => ({ name })),
          total: selector.names?.length ?? 0,
        });
      }
      if (method === 'POST' && path === '/distributions') {
        posted.push(JSON.parse(String(init?.body)));
        return json({ ...distribution, status: 'running' }, 201);
      }
      if (method === 'GET' && path === `/distributions/${distribution.id}`) {
        return json(distribution);
      }
      return json({ error: { message: `unexpected ${method} ${path}` } }, 500);
    },
  );
  return { fetch, posted };
}

describe('FilesPage', () => {
  it('lists the library and distributes a file with a live per-host view', async () => {
    const { fetch, posted } = fakeFiles();
    await renderInTestApp(<FilesPage />, {
      apis: [
        [catalogApiRef, catalogApiMock()],
        mockApis.discovery({ baseUrl: BASE }),
        mockApis.fetch({
          baseImplementation: fetch as typeof globalThis.fetch,
        }),
      ] as const,
    });
    const library = await screen.findByRole('table', {
      name: 'Library files, each version on its own row',
    });
    const row = await within(library).findByRole('row', { name: /app\.tgz/ });
    expect(within(row).getByText('3.0 MiB')).toBeInTheDocument();
    expect(within(row).getByText('abababababab…')).toBeInTheDocument();
    expect(within(row).getByText('alice')).toBeInTheDocument();

    await userEvent.click(
      within(row).getByRole('button', { name: 'Distribute app.tgz v2' }),
    );
    const dialog = await screen.findByRole('dialog');
    // hosts are picked with the CMDB's shared field (typed names become chips)
    await userEvent.type(within(dialog).getByLabelText('Host names'), 'web-01');
    fireEvent.change(within(dialog).getByLabelText(/^Target path/), {
      target: { value: '/opt/app/' },
    });
    await userEvent.click(within(dialog).getByLabelText(/^Target path/));
    expect(
      await within(dialog).findByText(
        '1 hosts match: web-01',
        {},
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Start distribution' }),
    );
    expect(posted).toEqual([
      {
        fileId: file.id,
        hosts: ['web-01'],
        targetPath: '/opt/app/',
        fileMode: '0644',
        concurrency: 10,
        strategy: 'direct',
      },
    ]);

    const live = await screen.findByTestId('files-distribution-view');
    const verified = await within(live).findByTestId(
      'files-host-resource:default/web-01',
    );
    expect(within(verified).getByText('SHA-256 verified')).toBeInTheDocument();
    expect(within(verified).getByText('2.0 MiB/s')).toBeInTheDocument();
    const failed = within(live).getByTestId(
      'files-host-resource:default/web-02',
    );
    expect(
      within(failed).getByText('Cannot connect to opsdeck@127.0.0.1:22302'),
    ).toBeInTheDocument();
    expect(
      within(live).getByRole('button', { name: 'Retry failed hosts' }),
    ).toBeInTheDocument();
  });

  it('opens a distribution from its own URL, /files?distribution=<id>', async () => {
    const { fetch } = fakeFiles();
    await renderInTestApp(<FilesPage />, {
      apis: [
        mockApis.discovery({ baseUrl: BASE }),
        mockApis.fetch({
          baseImplementation: fetch as typeof globalThis.fetch,
        }),
      ] as const,
      initialRouteEntries: [
        '/?distribution=22222222-2222-2222-2222-222222222222',
      ],
    });
    const live = await screen.findByTestId('files-distribution-view');
    expect(
      await within(live).findByTestId('files-host-resource:default/web-01'),
    ).toBeInTheDocument();
  });

  it("offers the user's own groups as the upload's owner group, nothing typed", async () => {
    const { fetch } = fakeFiles();
    await renderInTestApp(<FilesPage />, {
      apis: [
        mockApis.discovery({ baseUrl: BASE }),
        mockApis.fetch({
          baseImplementation: fetch as typeof globalThis.fetch,
        }),
        mockApis.identity({
          userEntityRef: 'user:default/bob',
          ownershipEntityRefs: [
            'user:default/bob',
            'group:default/ops',
            'group:default/dba',
          ],
        }),
      ] as const,
    });
    const field = await screen.findByLabelText(/^Owner group/);
    expect(field.tagName).not.toBe('INPUT');
    await userEvent.click(field);
    const options = await screen.findAllByRole('option');
    expect(options.map(o => o.textContent)).toEqual([
      'None',
      'group:default/dba',
      'group:default/ops',
    ]);
  });
});
