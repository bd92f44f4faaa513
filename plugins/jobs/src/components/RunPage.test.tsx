import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SWRConfig } from 'swr';
import type { Run, RunHost } from '../api';
import { RunView } from './RunPage';

jest.setTimeout(30_000);

const BASE = 'http://example.test';
const RUN_ID = '33333333-3333-3333-3333-333333333333';
const MARKER = '\n[opsdeck: output truncated]\n';

const run = (over: Partial<Run> = {}): Run => ({
  id: RUN_ID,
  jobId: 'j1',
  jobName: 'disk-check',
  jobVersion: 3,
  status: 'failed',
  trigger: 'manual',
  triggeredBy: 'user:default/bob',
  selector: { environment: 'prod' },
  params: {},
  options: {
    concurrency: 10,
    timeoutSeconds: 300,
    retries: 0,
    stopOnFirstFailure: false,
  },
  cancelRequested: false,
  createdAt: '2026-03-01T10:00:00.000Z',
  finishedAt: '2026-03-01T10:00:05.000Z',
  summary: { succeeded: 1, failed: 1 },
  hostCount: 2,
  secretPrinted: false,
  ...over,
});

const host = (name: string, over: Partial<RunHost> = {}): RunHost => ({
  host: name,
  entityRef: `resource:default/${name}`,
  address: '127.0.0.1',
  port: 22301,
  status: 'succeeded',
  exitCode: 0,
  attempts: 1,
  durationMs: 1200,
  truncated: false,
  secretPrinted: false,
  ...over,
});

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

/** A response whose body is the given Server-Sent Events, then stays open. */
function sse(events: [string, unknown][]) {
  const text = events
    .map(
      ([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`,
    )
    .join('');
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'Content-Type': 'text/event-stream' },
  });
}

/** An answer of the mock permission API (AuthorizeResult.ALLOW or DENY). */
type Answer = ReturnType<
  Extract<
    NonNullable<Parameters<typeof mockApis.permission>[0]>['authorize'],
    (...args: any[]) => unknown
  >
>;
const ALLOW = 'ALLOW' as Answer;
const DENY = 'DENY' as Answer;

function render(
  routes: (method: string, path: string) => Response | undefined,
  /** The permissions the user holds (default: every one). */
  holds?: string[],
) {
  const fetch = jest.fn(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      const path = `${url.pathname.replace(/^\/api\/jobs/, '')}${url.search}`;
      return (
        routes(init?.method ?? 'GET', path) ??
        json({ error: { message: `unexpected ${path}` } }, 500)
      );
    },
  );
  // a fresh cache of permission answers for each render (usePermission's SWR)
  return renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <RunView runId={RUN_ID} />
    </SWRConfig>,
    {
      apis: [
        mockApis.discovery({ baseUrl: BASE }),
        mockApis.fetch({
          baseImplementation: fetch as typeof globalThis.fetch,
        }),
        mockApis.permission({
          authorize: request =>
            !holds || holds.includes(request.permission.name) ? ALLOW : DENY,
        }),
      ] as const,
    },
  );
}

describe('RunView', () => {
  it('shows the per-host summary, the truncation marker and the webhook result of a finished run', async () => {
    const hosts = [
      host('pay-app-01', { truncated: true }),
      host('pay-app-02', { status: 'failed', exitCode: 3 }),
    ];
    await render((_, path) => {
      if (path === `/runs/${RUN_ID}`) {
        return json({
          run: run({
            webhookDelivery: {
              url: 'https://hooks.example.com/ops',
              status: 'failed',
              trigger: 'cancel',
              attempts: 3,
              error: 'HTTP 502',
              deliveredAt: '2026-03-01T10:00:06.000Z',
            },
          }),
          hosts,
        });
      }
      if (path === `/runs/${RUN_ID}/hosts/pay-app-01`) {
        return json({
          ...hosts[0],
          stdout: `line 1\nline 2${MARKER}`,
          stderr: '',
        });
      }
      return undefined;
    });
    expect(
      await screen.findByText('Run of disk-check (version 3)'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('jobs-run-summary')).toHaveTextContent(
      'Summary: Succeeded 1 · Failed 1',
    );
    expect(screen.getByTestId('jobs-host-pay-app-02')).toHaveTextContent(
      /Failed\s*3/,
    );
    const output = await screen.findByTestId('jobs-host-output');
    expect(
      within(output).getByText('Output was cut at the size limit.'),
    ).toBeInTheDocument();
    expect(within(output).getByTestId('jobs-stdout').textContent).toBe(
      `line 1\nline 2${MARKER}`,
    );
    expect(screen.getByTestId('jobs-webhook-delivery')).toHaveTextContent(
      'On cancel: Webhook to https://hooks.example.com/ops failed after 3 attempts: HTTP 502',
    );
    // a finished run is not followed
    expect(screen.queryByTestId('jobs-live-mode')).toBeNull();
  });

  it('compares outputs: hosts grouped by identical result, largest group first', async () => {
    const hosts = [
      host('web-01'),
      host('web-02'),
      host('web-03', { status: 'failed', exitCode: 127 }),
    ];
    const asked: string[] = [];
    await render((_, path) => {
      asked.push(path);
      if (path === `/runs/${RUN_ID}`) return json({ run: run(), hosts });
      if (path.startsWith(`/runs/${RUN_ID}/hosts/`)) {
        return json({ ...hosts[0], stdout: '6.1.0-28\n', stderr: '' });
      }
      if (path === `/runs/${RUN_ID}/groups`) {
        return json({
          hosts: 3,
          groups: [
            {
              digest: 'aaaaaaaaaaaaaaaa',
              status: 'succeeded',
              exitCode: 0,
              hosts: ['web-01', 'web-02'],
              stdout: '6.1.0-28\n',
              stderr: '',
              truncated: false,
            },
            {
              digest: 'bbbbbbbbbbbbbbbb',
              status: 'failed',
              exitCode: 127,
              hosts: ['web-03'],
              stdout: '',
              stderr: 'uname: not found\n',
              truncated: false,
            },
          ],
        });
      }
      return undefined;
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Compare outputs' }),
    );
    const list = await screen.findByTestId('jobs-output-groups');
    expect(list).toHaveTextContent('3 hosts, 2 different results');
    const groups = within(list).getAllByTestId('jobs-output-group');
    expect(groups[0]).toHaveTextContent('2 hosts · Succeeded · exit code 0');
    expect(groups[0]).toHaveTextContent('web-01');
    expect(groups[0]).toHaveTextContent('web-02');
    expect(groups[1]).toHaveTextContent('1 hosts · Failed · exit code 127');
    expect(groups[1]).toHaveTextContent('uname: not found');
    expect(asked.filter(p => p.endsWith('/groups'))).toHaveLength(1);
  });

  it('follows a running run over its event stream', async () => {
    const running = run({ status: 'running', summary: { running: 1 } });
    const streamed = host('pay-app-01', {
      status: 'running',
      exitCode: undefined,
    });
    let streamRequests = 0;
    await render((_, path) => {
      if (path === `/runs/${RUN_ID}`) {
        return json({ run: running, hosts: [streamed] });
      }
      if (path === `/runs/${RUN_ID}/events?host=pay-app-01`) {
        streamRequests++;
        return sse([
          ['host', streamed],
          [
            'output',
            {
              host: 'pay-app-01',
              stream: 'stdout',
              offset: 0,
              text: 'step 1\n',
            },
          ],
          [
            'output',
            {
              host: 'pay-app-01',
              stream: 'stdout',
              offset: 7,
              text: 'step 2\n',
            },
          ],
        ]);
      }
      return undefined;
    });
    const stdout = await screen.findByTestId('jobs-stdout');
    await screen.findByText(/step 2/);
    expect(stdout.textContent).toBe('step 1\nstep 2\n');
    expect(screen.getByTestId('jobs-live-mode')).toHaveTextContent(
      'Live: output is streamed as it happens',
    );
    expect(streamRequests).toBe(1);
  });

  it('falls back to polling when the stream is unavailable', async () => {
    const running = run({ status: 'running', summary: { running: 1 } });
    const polled = host('pay-app-01', {
      status: 'running',
      exitCode: undefined,
    });
    await render((_, path) => {
      if (path === `/runs/${RUN_ID}`) {
        return json({ run: running, hosts: [polled] });
      }
      if (path.startsWith(`/runs/${RUN_ID}/events`)) {
        return json({ error: { message: 'no streams here' } }, 502);
      }
      if (path === `/runs/${RUN_ID}/hosts/pay-app-01`) {
        return json({ ...polled, stdout: 'polled output\n', stderr: '' });
      }
      return undefined;
    });
    expect(await screen.findByText(/polled output/)).toBeInTheDocument();
    expect(screen.getByTestId('jobs-live-mode')).toHaveTextContent(
      'Live: the stream is unavailable, refreshing every second',
    );
  });

  it('flags a run whose host printed a secret, on the run and on the host', async () => {
    const hosts = [
      host('pay-app-01', { secretPrinted: true }),
      host('pay-app-02'),
    ];
    await render((_, path) => {
      if (path === `/runs/${RUN_ID}`) {
        return json({
          run: run({ status: 'succeeded', secretPrinted: true }),
          hosts,
        });
      }
      if (path === `/runs/${RUN_ID}/hosts/pay-app-01`) {
        return json({ ...hosts[0], stdout: 'token=***\n', stderr: '' });
      }
      return undefined;
    });
    expect(await screen.findByTestId('jobs-secret-printed')).toHaveTextContent(
      'A host printed the value of a secret parameter',
    );
    expect(
      screen.getByTestId('jobs-secret-printed-pay-app-01'),
    ).toHaveTextContent('Printed a secret');
    expect(screen.queryByTestId('jobs-secret-printed-pay-app-02')).toBeNull();
    const output = await screen.findByTestId('jobs-host-output');
    expect(within(output).getByTestId('jobs-stdout').textContent).toBe(
      'token=***\n',
    );
  });

  it('explains a refusal on production hosts', async () => {
    await render((method, path) => {
      if (path === `/runs/${RUN_ID}`) {
        return json({
          run: run(),
          hosts: [host('pay-app-02', { status: 'failed' })],
        });
      }
      if (method === 'POST' && path === `/runs/${RUN_ID}/rerun`) {
        return json(
          {
            error: {
              name: 'NotAllowedError',
              message:
                'You are not allowed to run jobs on pay-app-02 (production hosts need opsdeck.jobs.run.prod)',
            },
            response: { statusCode: 403 },
          },
          403,
        );
      }
      return undefined;
    });
    (
      await screen.findByRole('button', { name: 'Re-run failed hosts' })
    ).click();
    expect(
      await screen.findByText(
        'Production hosts need their own permission (opsdeck.jobs.run.prod), which you do not have for: pay-app-02',
      ),
    ).toBeInTheDocument();
  });

  it('offers Re-run and Cancel only to who may run, and re-running an ad-hoc command only to who may write scripts', async () => {
    const adhocRun = run({
      jobId: 'adhoc',
      jobName: 'ad-hoc',
      jobVersion: 0,
      adhoc: { language: 'sh', script: 'uptime' },
    });
    const routes = (_method: string, path: string) =>
      path === `/runs/${RUN_ID}`
        ? json({ run: adhocRun, hosts: [host('web-01', { status: 'failed' })] })
        : undefined;
    // a viewer (read only)
    const viewer = await render(routes, ['opsdeck.jobs.job.read']);
    expect(await screen.findByText('Ad-hoc command')).toBeInTheDocument();
    expect(screen.getByTestId('jobs-adhoc-script')).toHaveTextContent('uptime');
    expect(
      screen.queryByRole('button', { name: 'Re-run failed hosts' }),
    ).toBeNull();
    viewer.unmount();
    // may run saved jobs, may not write scripts
    const runner = await render(routes, [
      'opsdeck.jobs.job.read',
      'opsdeck.jobs.run',
    ]);
    expect(await screen.findByText('Ad-hoc command')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Re-run failed hosts' }),
    ).toBeNull();
    runner.unmount();
    // ops
    await render(routes, [
      'opsdeck.jobs.job.read',
      'opsdeck.jobs.run',
      'opsdeck.jobs.job.manage',
    ]);
    expect(
      await screen.findByRole('button', { name: 'Re-run failed hosts' }),
    ).toBeInTheDocument();
  });
});
