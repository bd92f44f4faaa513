import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { ResponseError } from '@backstage/errors';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { FileVersion, FilesClient } from '../api/FilesClient';
import { DistributeDialog } from './DistributeDialog';

jest.setTimeout(60_000);

const file: FileVersion = {
  id: '11111111-1111-1111-1111-111111111111',
  name: 'app.tgz',
  version: 2,
  size: 10,
  sha256: 'ab'.repeat(32),
  uploader: 'user:default/alice',
  createdAt: '2026-03-01T10:00:00.000Z',
};

/** A files backend answer refusing the distribution as files-backend does. */
async function refusal(status: number, error: Record<string, unknown>) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'InputError', ...error },
        request: { method: 'POST', url: '/api/files/distributions' },
        response: { statusCode: status },
      }),
      { status, headers: { 'Content-Type': 'application/json' } },
    ) as any,
  );
}

describe('DistributeDialog refusals', () => {
  beforeEach(() => localStorage.clear());

  it('says a target outside the allowed roots in zh-CN by its code, not the server’s English', async () => {
    const error = await refusal(400, {
      code: 'files-target-outside-roots',
      message:
        "Target path /etc/x is outside the directories allowed for these hosts' environments — prod (/srv/app): resource:default/web-01. An admin can allow more in opsdeck.files.distribution.allowedRoots.",
      targetPath: '/etc/x',
      refused: 'prod (/srv/app): resource:default/web-01',
    });
    const client = {
      createDistribution: jest.fn(async () => {
        throw error;
      }),
    } as unknown as FilesClient;
    await renderInTestApp(
      <DistributeDialog
        client={client}
        file={file}
        onClose={jest.fn()}
        onStarted={jest.fn()}
      />,
      {
        apis: [
          [catalogApiRef, catalogApiMock()],
          mockApis.appLanguage({
            defaultLanguage: 'zh-CN',
            availableLanguages: ['en', 'zh-CN'],
          }),
        ] as const,
      },
    );
    const dialog = await screen.findByRole('dialog');
    const names = dialog.querySelector(
      '#files-hosts-names',
    ) as HTMLInputElement;
    await userEvent.type(names, 'web-01 ');
    await userEvent.click(screen.getByRole('button', { name: '开始分发' }));
    const alert = await screen.findByRole('alert');
    expect(client.createDistribution).toHaveBeenCalled();
    expect(
      within(alert).getByText('这些主机不允许使用该目标路径'),
    ).toBeInTheDocument();
    expect(alert.textContent).toContain(
      '目标路径 /etc/x 不在这些主机允许的目录内：prod (/srv/app): resource:default/web-01。',
    );
    expect(alert.textContent).not.toContain('is outside the directories');
  });
});
