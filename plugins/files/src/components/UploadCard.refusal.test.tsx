import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UploadCard } from './UploadCard';

jest.setTimeout(60_000);

/**
 * A tus endpoint on loopback that refuses every creation as the files
 * backend does (opsdeck's JSON error body with its code).
 */
function refusingEndpoint(status: number, error: Record<string, unknown>) {
  const cors = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Headers': '*',
    'Access-Control-Allow-Methods': 'POST, HEAD, PATCH, DELETE, OPTIONS',
  };
  const server = http.createServer((req, res) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end();
      return;
    }
    req.resume();
    res
      .writeHead(status, { ...cors, 'Tus-Resumable': '1.0.0' })
      .end(JSON.stringify({ error, response: { statusCode: status } }));
  });
  return new Promise<http.Server>(resolve =>
    server.listen(0, '127.0.0.1', () => resolve(server)),
  );
}

async function refusedUpload(
  status: number,
  error: Record<string, unknown>,
  language: string,
) {
  const server = await refusingEndpoint(status, error);
  const { port } = server.address() as AddressInfo;
  const client = {
    uploadEndpoint: async () => `http://127.0.0.1:${port}/api/files/uploads`,
  };
  try {
    await renderInTestApp(
      <UploadCard client={client as any} onUploaded={jest.fn()} />,
      {
        apis: [
          mockApis.appLanguage({
            defaultLanguage: language,
            availableLanguages: ['en', 'zh-CN'],
          }),
        ],
      },
    );
    // jest loads tus-js-client's Node build, which reads Buffers (the
    // browser build reads the File a browser gives)
    const file = Object.assign(Buffer.alloc(2048), {
      name: 'big.bin',
      size: 2048,
      type: 'application/octet-stream',
    });
    fireEvent.change(await screen.findByTestId('files-upload-input'), {
      target: { files: [file] },
    });
    await userEvent.click(
      screen.getByRole('button', {
        name: language === 'en' ? 'Upload' : '上传',
      }),
    );
    return (await screen.findByRole('alert')).textContent;
  } finally {
    server.close();
  }
}

describe('UploadCard refusals', () => {
  beforeEach(() => localStorage.clear());

  it('says a too-large file in zh-CN with the limit, not the server’s English', async () => {
    const text = await refusedUpload(
      413,
      {
        name: 'Error',
        message: 'The file is larger than the upload limit of 1024 bytes',
        code: 'files-upload-too-large',
        maxBytes: 1024,
      },
      'zh-CN',
    );
    expect(text).toContain('文件超过上传上限（1.0 KiB）');
    expect(text).not.toContain('larger than');
  });

  it('says a foreign owner group in zh-CN naming the group', async () => {
    const text = await refusedUpload(
      403,
      {
        name: 'Error',
        message: 'You are not a member of group:default/dba',
        code: 'files-owner-group-not-member',
        group: 'group:default/dba',
      },
      'zh-CN',
    );
    expect(text).toContain('你不是 group:default/dba 的成员');
  });

  it('says the same refusal in English', async () => {
    const text = await refusedUpload(
      413,
      {
        name: 'Error',
        message: 'The file is larger than the upload limit of 1024 bytes',
        code: 'files-upload-too-large',
        maxBytes: 1024,
      },
      'en',
    );
    expect(text).toContain(
      'The file is larger than the upload limit (1.0 KiB)',
    );
  });
});
