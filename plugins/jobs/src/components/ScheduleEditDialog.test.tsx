import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import userEvent from '@testing-library/user-event';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import type { Schedule } from '../api';
import { ScheduleEditDialog } from './ScheduleEditDialog';

jest.setTimeout(30_000);

const SCHEDULE: Schedule = {
  id: 's1',
  name: 'nightly',
  jobId: 'j1',
  cron: '0 3 * * *',
  timeZone: 'UTC',
  selector: { names: ['pay-app-01'] },
  params: {},
  options: {
    concurrency: 5,
    timeoutSeconds: 60,
    retries: 1,
    stopOnFirstFailure: false,
  },
  missedPolicy: 'skip',
  enabled: true,
  createdBy: 'user:default/alice',
  createdAt: '2026-02-01T09:00:00.000Z',
  updatedAt: '2026-02-01T09:00:00.000Z',
  lastTickAt: '2026-03-01T03:00:00.000Z',
  approvedHosts: ['resource:default/pay-app-01'],
  approvedBy: 'user:default/alice',
};

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

type Call = { method: string; path: string; body?: unknown };

async function render(patchResponse: () => Response) {
  const calls: Call[] = [];
  const onSaved = jest.fn();
  const fetch = jest.fn(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input));
      const path = `${url.pathname.replace(/^\/api\/jobs/, '')}${url.search}`;
      const method = init?.method ?? 'GET';
      calls.push({
        method,
        path,
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
      });
      if (path === '/runs?job=j1') {
        return json({
          items: [
            {
              id: 'r1',
              scheduleId: 's1',
              summary: { succeeded: 1, skipped: 1 },
            },
          ],
        });
      }
      if (path === '/runs/r1') {
        return json({
          run: { id: 'r1' },
          hosts: [
            { host: 'pay-app-01', status: 'succeeded' },
            { host: 'pay-app-02', status: 'skipped' },
          ],
        });
      }
      if (method === 'PATCH' && path === '/schedules/s1')
        return patchResponse();
      return json({ error: { message: `unexpected ${path}` } }, 500);
    },
  );
  await renderInTestApp(
    <ScheduleEditDialog
      schedule={SCHEDULE}
      onClose={() => {}}
      onSaved={onSaved}
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
  return { calls, onSaved };
}

const patches = (calls: Call[]) => calls.filter(c => c.method === 'PATCH');

describe('ScheduleEditDialog', () => {
  it('shows the approved hosts and the hosts the last run skipped; "approve again" sends the saved fields unchanged', async () => {
    const { calls, onSaved } = await render(() => json(SCHEDULE));
    expect(screen.getByTestId('jobs-schedule-approved')).toHaveTextContent(
      'Approved now (1), by alice',
    );
    expect(
      await screen.findByTestId('jobs-schedule-skipped'),
    ).toHaveTextContent('The last run skipped these hosts: pay-app-02');

    // an edit not saved must not leak into "approve again"
    fireEvent.change(screen.getByLabelText(/^Cron expression/), {
      target: { value: '5 4 * * *' },
    });
    fireEvent.click(
      screen.getByRole('button', { name: 'Approve hosts again' }),
    );
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(patches(calls)).toEqual([
      {
        method: 'PATCH',
        path: '/schedules/s1',
        body: {
          cron: '0 3 * * *',
          timeZone: 'UTC',
          missedPolicy: 'skip',
          selector: { names: ['pay-app-01'] },
          params: {},
          options: SCHEDULE.options,
        },
      },
    ]);
  });

  it('saves the edited cron and selector, and shows a 403 naming the denied host', async () => {
    const { calls, onSaved } = await render(() =>
      json(
        {
          // the backend's error body (errorHandler) for a denied host
          error: {
            name: 'NotAllowedError',
            message: 'You are not allowed to run jobs on db-01',
          },
          request: { method: 'PATCH', url: '/api/jobs/schedules/s1' },
          response: { statusCode: 403 },
        },
        403,
      ),
    );
    fireEvent.change(screen.getByLabelText(/^Cron expression/), {
      target: { value: '5 4 * * *' },
    });
    // the CMDB's host field: typed names become chips on leaving the field
    await userEvent.type(screen.getByLabelText('Host names'), 'db-01');
    await userEvent.click(screen.getByLabelText(/^Cron expression/));
    fireEvent.click(
      screen.getByRole('button', { name: 'Save and approve hosts' }),
    );
    expect(
      await screen.findByTestId('jobs-schedule-edit-error'),
    ).toHaveTextContent(
      'You do not have permission to do this: You are not allowed to run jobs on db-01',
    );
    expect(onSaved).not.toHaveBeenCalled();
    expect(patches(calls)[0].body).toMatchObject({
      cron: '5 4 * * *',
      selector: { names: ['pay-app-01', 'db-01'] },
      options: SCHEDULE.options,
    });
  });
});
