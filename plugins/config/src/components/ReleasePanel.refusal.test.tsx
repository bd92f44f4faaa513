import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { ReleasePanel } from './ReleasePanel';

const paused = {
  id: 3,
  setId: 7,
  version: 2,
  action: 'push',
  status: 'paused',
  batchSize: 1,
  pauseSeconds: 0,
  confirmFirstBatch: true,
  nextBatch: 1,
  createdBy: 'user:default/bob',
  createdAt: '2026-12-01T00:00:00Z',
  hosts: [
    { host: 'resource:default/web-00', position: 0, state: 'done' },
    { host: 'resource:default/web-01', position: 1, state: 'pending' },
  ],
};

/** A config backend whose Continue is refused as the real one does. */
function refusing(error: Record<string, unknown>, status: number) {
  const json = (x: unknown, s = 200) =>
    new Response(JSON.stringify(x), {
      status: s,
      headers: { 'Content-Type': 'application/json' },
    });
  return jest.fn(async (input: RequestInfo | URL) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.endsWith('/releases/3/continue')) {
      return json(
        {
          error: { name: 'ConflictError', ...error },
          request: { method: 'POST', url: '/releases/3/continue' },
          response: { statusCode: status },
        },
        status,
      );
    }
    return json(paused);
  });
}

async function continueRefused(
  language: string,
  error: Record<string, unknown>,
  status = 409,
) {
  await renderInTestApp(<ReleasePanel releaseId={3} canControl />, {
    apis: [
      mockApis.discovery({ baseUrl: 'http://localhost:7007/api' }),
      mockApis.fetch({
        baseImplementation: refusing(error, status) as typeof fetch,
      }),
      mockApis.appLanguage({
        defaultLanguage: language,
        availableLanguages: ['en', 'zh-CN'],
      }),
    ],
  } as any);
  fireEvent.click(
    await screen.findByRole('button', {
      name: language === 'en' ? 'Continue' : '继续',
    }),
  );
  // the refusal is the alert after the paused notice
  await waitFor(() =>
    expect(screen.getAllByRole('alert').length).toBeGreaterThan(1),
  );
  return screen
    .getAllByRole('alert')
    .map(a => a.textContent)
    .join(' | ');
}

describe('ReleasePanel: a refused Continue', () => {
  it('says a coded refusal in zh-CN, without the server’s English', async () => {
    const text = await continueRefused('zh-CN', {
      message: 'Release 3 was continued or aborted already',
      code: 'config-release-moved',
      release: 3,
    });
    expect(text).toContain('发布 3 已被他人继续或中止');
    expect(text).not.toContain('already');
  });

  it('says the same refusal in English', async () => {
    const text = await continueRefused('en', {
      message: 'Release 3 was continued or aborted already',
      code: 'config-release-moved',
      release: 3,
    });
    expect(text).toContain(
      'Release 3 was continued or aborted by someone else already',
    );
  });

  it('keeps the server’s words as the detail of a code it does not know', async () => {
    const text = await continueRefused('en', {
      message: 'Something new went wrong',
      code: 'config-something-new',
    });
    expect(text).toContain('Something new went wrong');
  });
});
