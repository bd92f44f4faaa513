import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HostTerminal } from './HostTerminal';

// the machine that runs the suite is shared and slow at times
jest.setTimeout(120_000);

// xterm.js draws on a canvas jsdom does not have: a terminal that takes what it is given
jest.mock('@xterm/xterm', () => ({
  Terminal: class {
    cols = 80;
    rows = 24;
    loadAddon() {}
    open() {}
    focus() {}
    write() {}
    dispose() {}
    onData() {
      return { dispose() {} };
    }
    onResize() {
      return { dispose() {} };
    }
  },
}));
jest.mock('@xterm/addon-fit', () => ({
  FitAddon: class {
    fit() {}
  },
}));
jest.mock('@xterm/addon-web-links', () => ({ WebLinksAddon: class {} }));

/** The refusal the terminal WebSocket sends in the test at hand (none: the session opens). */
let refusal: Record<string, string> | undefined = {};
const serverEnglish = 'The server’s own English words';

/** A terminal WebSocket that answers with `refusal` and closes, as the backend does. */
class RefusingSocket {
  readyState = 1;
  onmessage?: (ev: { data: string }) => void;
  onclose?: () => void;
  constructor() {
    setTimeout(() => {
      if (!refusal) {
        this.onmessage?.({
          data: JSON.stringify({
            type: 'ready',
            sessionId: 's-1',
            host: 'app-01',
            loginUser: 'opsdeck',
          }),
        });
        return;
      }
      this.onmessage?.({
        data: JSON.stringify({
          ...refusal,
          type: 'error',
          message: serverEnglish,
        }),
      });
      this.readyState = 3;
      this.onclose?.();
    }, 0);
  }
  send() {}
  close() {}
}

// one client for the whole file: the terminal reconnects when its client changes
const client = {
  hostAccess: async (host: string) => ({
    host,
    mfaRequired: false,
    mfaVerified: false,
    grants: [{ id: 'g1', loginUser: 'opsdeck' }],
  }),
  socket: async () => new RefusingSocket(),
  upload: jest.fn(),
};
jest.mock('./useBastion', () => ({
  ...jest.requireActual('./useBastion'),
  useBastionClient: () => client,
}));

async function shown(language: 'en' | 'zh-CN', given: Record<string, string>) {
  refusal = given;
  await renderInTestApp(<HostTerminal host={given.host ?? 'app-01'} />, {
    apis: [
      mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
      mockApis.appLanguage({
        defaultLanguage: language,
        availableLanguages: ['en', 'zh-CN'],
      }),
    ],
  } as any);
  const alert = await screen.findByRole('alert');
  expect(alert).not.toHaveTextContent(serverEnglish);
  return alert.textContent;
}

const changed = {
  code: 'bastion-host-key-changed',
  host: 'app-01',
  offered: 'SHA256:new',
};
const pending = {
  code: 'bastion-host-key-pending',
  host: 'db-01',
  offered: 'SHA256:first',
};
const loginFailed = {
  code: 'bastion-login-failed',
  host: 'app-01',
  loginUser: 'deploy',
};
const unreachable = { code: 'bastion-host-unreachable', host: 'gone-01' };
const connectFailed = { code: 'bastion-connect-failed', host: 'app-01' };
const unknown = { code: 'bastion-host-unknown', host: 'nope-01' };
const noGrant = { code: 'bastion-no-grant', host: 'app-01', loginUser: '' };
const mfa = {
  code: 'bastion-mfa-required',
  host: 'pay-01',
  environment: 'prod',
};

describe('HostTerminal refusals', () => {
  it.each([
    [
      changed,
      'The host key of app-01 has changed (it now offers SHA256:new): opsdeck refused to connect; an admin checks the key on the host page',
    ],
    [
      pending,
      'The host key of db-01 (SHA256:first) is not accepted yet; an admin accepts it on the host page',
    ],
    [
      loginFailed,
      'app-01 refused the login deploy: the credential in the vault is wrong or unusable',
    ],
    [
      unreachable,
      'gone-01 cannot be reached over SSH (refused, no such name or timed out)',
    ],
    [connectFailed, 'The terminal on app-01 could not be opened'],
    [unknown, 'No host named nope-01 in the catalog'],
    [
      noGrant,
      'No access grant lets you open a terminal on app-01 now; request server access with a ticket',
    ],
    [
      mfa,
      'Hosts in prod need a two-factor code first: verify on the Two-factor tab',
    ],
  ])('says %j in English', async (given, text) => {
    expect(await shown('en', given)).toBe(text);
  });

  it.each([
    [
      changed,
      'app-01 的主机密钥已变更（现在出示 SHA256:new），opsdeck 已拒绝连接；请管理员在主机页面核对密钥',
    ],
    [
      pending,
      'db-01 的主机密钥（SHA256:first）尚未被确认，请管理员在主机页面确认',
    ],
    [loginFailed, 'app-01 拒绝了登录用户 deploy：Vault 中的凭据有误或不可用'],
    [
      unreachable,
      '无法通过 SSH 连接 gone-01（连接被拒绝、域名无法解析或超时）',
    ],
    [connectFailed, '无法打开 app-01 上的终端'],
    [unknown, '软件目录中没有名为 nope-01 的主机'],
    [
      noGrant,
      '你现在没有可在 app-01 上打开终端的访问授权，请通过工单申请服务器访问',
    ],
    [
      mfa,
      'prod 环境的主机需要先输入双因素验证码：请在“双因素认证”标签页中验证',
    ],
  ])('says %j in zh-CN', async (given, text) => {
    expect(await shown('zh-CN', given)).toBe(text);
  });

  it('says a file transfer the SSH core refused by its code, in zh-CN', async () => {
    refusal = undefined;
    // what the backend answers outside development: a 503 keeps its code and details, not its words
    client.upload.mockRejectedValue(
      Object.assign(new Error('Request failed with 503'), {
        body: {
          error: {
            name: 'Error',
            message: 'An internal error occurred (reference 0123abcd)',
            code: 'bastion-host-key-changed',
            host: 'app-01',
            offered: 'SHA256:new',
          },
          response: { statusCode: 503 },
        },
      }),
    );
    const { container } = await renderInTestApp(
      <HostTerminal host="app-01" />,
      {
        apis: [
          mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
          mockApis.appLanguage({
            defaultLanguage: 'zh-CN',
            availableLanguages: ['en', 'zh-CN'],
          }),
        ],
      } as any,
    );
    await screen.findByText(/s-1/);
    await userEvent.upload(
      container.querySelector('input[type=file]') as HTMLInputElement,
      new File(['x'], 'x.txt'),
    );
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      'app-01 的主机密钥已变更（现在出示 SHA256:new），opsdeck 已拒绝连接；请管理员在主机页面核对密钥',
    );
    expect(alert).not.toHaveTextContent(/internal error/);
  });
});
