import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import userEvent from '@testing-library/user-event';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { RunDialog } from './RunDialog';
import { adhocHostsOf } from './adhocFromUrl';
import { emptySelector } from './common';

jest.setTimeout(30_000);

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

describe('RunDialog without a job (an ad-hoc command)', () => {
  it('sends the typed command, its language and the hosts; nothing before a command is typed', async () => {
    const posts: unknown[] = [];
    const fetch = jest.fn(
      async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = new URL(String(input));
        if (init?.method === 'POST' && url.pathname === '/api/jobs/runs') {
          posts.push(JSON.parse(String(init.body)));
          return json({ id: 'r9' }, 201);
        }
        return json({ error: { message: `unexpected ${url.pathname}` } }, 500);
      },
    );
    const onStarted = jest.fn();
    await renderInTestApp(
      <RunDialog onClose={() => {}} onStarted={onStarted} />,
      {
        apis: [
          [catalogApiRef, catalogApiMock()],
          mockApis.discovery({ baseUrl: 'http://example.test' }),
          mockApis.fetch({
            baseImplementation: fetch as typeof globalThis.fetch,
          }),
        ] as const,
      },
    );
    expect(screen.getByText('Run a command on hosts')).toBeInTheDocument();
    const run = screen.getByRole('button', { name: 'Run now' });
    expect(run).toBeDisabled();
    await userEvent.type(screen.getByLabelText('Host names'), 'web-01');
    await userEvent.click(screen.getByLabelText(/^Command or script/));
    fireEvent.change(screen.getByLabelText(/^Command or script/), {
      target: { value: 'uname -r' },
    });
    expect(run).toBeEnabled();
    fireEvent.click(run);
    await waitFor(() => expect(onStarted).toHaveBeenCalled());
    expect(posts).toEqual([
      {
        adhoc: { language: 'sh', script: 'uname -r' },
        selector: { names: ['web-01'] },
        params: {},
        options: {
          concurrency: 10,
          timeoutSeconds: 300,
          retries: 0,
          stopOnFirstFailure: false,
        },
      },
    ]);
  });
});

describe('the Hosts page selection (/jobs?adhoc=a,b)', () => {
  it('reads the host names of ?adhoc=, dropping empty ones', () => {
    expect(adhocHostsOf('web-01,web-02')).toBe('web-01, web-02');
    expect(adhocHostsOf(' db-1 ,,')).toBe('db-1');
    expect(adhocHostsOf('')).toBeUndefined();
    expect(adhocHostsOf(null)).toBeUndefined();
    expect(
      adhocHostsOf(
        Array.from({ length: 600 }, (_, i) => `h${i}`).join(','),
      )!.split(', '),
    ).toHaveLength(500);
  });

  it('opens with the selected hosts and runs the command on them', async () => {
    const posts: unknown[] = [];
    const fetch = jest.fn(
      async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = new URL(String(input));
        if (init?.method === 'POST' && url.pathname === '/api/jobs/runs') {
          posts.push(JSON.parse(String(init.body)));
          return json({ id: 'r10' }, 201);
        }
        return json({ error: { message: `unexpected ${url.pathname}` } }, 500);
      },
    );
    const onStarted = jest.fn();
    await renderInTestApp(
      <RunDialog
        initialSelector={{ ...emptySelector, names: 'web-01, web-02' }}
        onClose={() => {}}
        onStarted={onStarted}
      />,
      {
        apis: [
          [catalogApiRef, catalogApiMock()],
          mockApis.discovery({ baseUrl: 'http://example.test' }),
          mockApis.fetch({
            baseImplementation: fetch as typeof globalThis.fetch,
          }),
        ] as const,
      },
    );
    // the host field shows the names as chips
    expect(screen.getByText('web-01', { exact: true })).toBeInTheDocument();
    expect(screen.getByText('web-02', { exact: true })).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText(/^Command or script/), {
      target: { value: 'uptime' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Run now' }));
    await waitFor(() => expect(onStarted).toHaveBeenCalled());
    expect(posts).toEqual([
      expect.objectContaining({
        adhoc: { language: 'sh', script: 'uptime' },
        selector: { names: ['web-01', 'web-02'] },
      }),
    ]);
  });
});
