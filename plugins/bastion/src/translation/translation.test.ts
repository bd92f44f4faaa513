import type { BastionT } from '../components/common';
import { refusalText } from '../components/refusals';
import zhCN from './zhCN';
import { bastionTranslationRef } from './translation';

/** The bastion's t in zh-CN, as the portal fills the placeholders. */
const zhT = ((key: string, vars: Record<string, string> = {}) =>
  (zhCN as Record<string, string>)[key].replace(
    /\{\{(\w+)\}\}/g,
    (_, name: string) => vars[name] ?? '',
  )) as unknown as BastionT;

describe('bastion translations', () => {
  it('has a zh-CN text for every English message, with the same placeholders', () => {
    const english = (
      bastionTranslationRef as any
    ).getDefaultMessages() as Record<string, string>;
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(english).sort());
    for (const [key, text] of Object.entries(english)) {
      const vars = (s: string) => (s.match(/\{\{\w+\}\}/g) ?? []).sort();
      expect([key, vars((zhCN as Record<string, string>)[key])]).toEqual([
        key,
        vars(text),
      ]);
    }
  });

  it('says a terminal refusal from the WebSocket in zh-CN by its code, not the server’s English', () => {
    const said = (message: Record<string, unknown>) =>
      refusalText(zhT, {
        type: 'error',
        message: 'the server’s English',
        ...message,
      });
    expect(said({ code: 'bastion-no-grant', host: 'app-01' })).toBe(
      '你现在没有可在 app-01 上打开终端的访问授权，请通过工单申请服务器访问',
    );
    expect(
      said({
        code: 'bastion-host-key-changed',
        host: 'app-01',
        offered: 'SHA256:abc',
      }),
    ).toBe(
      'app-01 的主机密钥已变更（现在出示 SHA256:abc），opsdeck 已拒绝连接；请管理员在主机页面核对密钥',
    );
    expect(said({ code: 'bastion-host-unreachable', host: 'gone-01' })).toBe(
      '无法通过 SSH 连接 gone-01（连接被拒绝、域名无法解析或超时）',
    );
    expect(
      said({
        code: 'bastion-grant-expired',
        host: 'app-01',
        expiredAt: '2026-12-01T10:00:00Z',
      }),
    ).toMatch(
      /^你对 app-01 的访问授权已于 .*2026.* 到期，请重新申请服务器访问$/,
    );
    // opsdeck's own code, with the permission named
    expect(
      refusalText(
        zhT,
        {
          code: 'not-allowed',
          message: 'You are not allowed to open terminal sessions',
          permission: 'opsdeck.bastion.session.open',
        },
        'zh-CN',
      ),
    ).toBe('没有权限（需要 opsdeck.bastion.session.open）');
  });
});
