import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { Job } from '../api';
import { JobEditorDialog } from './JobEditorDialog';

jest.setTimeout(30_000);

const JOB: Job = {
  id: 'j1',
  name: 'disk-check',
  description: '',
  language: 'sh',
  script: 'df -h',
  parameters: [],
  notifyOnFailure: true,
  // as the migration turns a former `when: always`
  webhook: {
    url: 'https://hooks.example.com/ops',
    triggers: ['success', 'failure', 'cancel'],
  },
  version: 1,
  createdBy: 'user:default/alice',
  createdAt: '2026-03-01T10:00:00.000Z',
  updatedBy: 'user:default/alice',
  updatedAt: '2026-03-01T10:00:00.000Z',
};

type Call = { method: string; path: string; body?: any };

async function render(job?: Job) {
  const calls: Call[] = [];
  const onSaved = jest.fn();
  const fetch = jest.fn(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input));
      const body = init?.body ? JSON.parse(String(init.body)) : undefined;
      calls.push({
        method: init?.method ?? 'GET',
        path: url.pathname.replace(/^\/api\/jobs/, ''),
        body,
      });
      return new Response(JSON.stringify({ ...JOB, ...body }), {
        status: job ? 200 : 201,
        headers: { 'Content-Type': 'application/json' },
      });
    },
  );
  await renderInTestApp(
    <JobEditorDialog job={job} onClose={() => {}} onSaved={onSaved} />,
    {
      apis: [
        mockApis.discovery({ baseUrl: 'http://example.test' }),
        mockApis.fetch({
          baseImplementation: fetch as typeof globalThis.fetch,
        }),
      ] as const,
    },
  );
  return { calls, onSaved };
}

const box = (name: RegExp) =>
  within(screen.getByTestId('jobs-editor-webhook-triggers')).getByRole(
    'checkbox',
    { name },
  );

describe('JobEditorDialog webhook triggers', () => {
  it('shows the ticked triggers, refuses none and saves the ticked set', async () => {
    const { calls, onSaved } = await render(JOB);
    expect(box(/^succeeds/)).toBeChecked();
    expect(box(/^fails/)).toBeChecked();
    expect(box(/^is cancelled/)).toBeChecked();
    for (const name of [/^succeeds/, /^fails/, /^is cancelled/]) {
      fireEvent.click(box(name));
    }
    expect(
      screen.getByText('Tick at least one, or clear the URL.'),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();

    fireEvent.click(box(/^is cancelled/));
    fireEvent.click(box(/^succeeds/));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: 'PUT', path: '/jobs/j1' });
    // the fixed order, not the order of the clicks
    expect(calls[0].body.webhook).toEqual({
      url: 'https://hooks.example.com/ops',
      triggers: ['success', 'cancel'],
    });
  });

  it('starts a new job with "on failure" ticked', async () => {
    const { calls, onSaved } = await render();
    expect(box(/^succeeds/)).not.toBeChecked();
    expect(box(/^fails/)).toBeChecked();
    expect(box(/^is cancelled/)).not.toBeChecked();
    fireEvent.change(screen.getByRole('textbox', { name: /^Name/ }), {
      target: { value: 'new-job' },
    });
    fireEvent.change(screen.getByRole('textbox', { name: /^Script/ }), {
      target: { value: 'true' },
    });
    fireEvent.change(screen.getByRole('textbox', { name: /^Webhook URL/ }), {
      target: { value: 'https://hooks.example.com/new' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/jobs' });
    expect(calls[0].body.webhook).toEqual({
      url: 'https://hooks.example.com/new',
      triggers: ['failure'],
    });
  });
});
