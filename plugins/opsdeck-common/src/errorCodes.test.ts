import {
  errorCodeForStatus,
  serverErrorMessage,
  type ErrorCodeTexts,
} from './errorCodes';
import { setDisplayLanguage } from './format';

/** A ResponseError's shape as the portal's clients throw it. */
function responseError(error: Record<string, string>) {
  return Object.assign(new Error('Request failed'), { body: { error } });
}

describe('error codes', () => {
  afterEach(() => setDisplayLanguage(undefined));

  it('maps statuses to codes', () => {
    expect(
      [400, 401, 403, 404, 409, 500, 502, 503].map(errorCodeForStatus),
    ).toEqual([
      'invalid-input',
      'not-signed-in',
      'not-allowed',
      'not-found',
      'conflict',
      'internal',
      'internal',
      'unavailable',
    ]);
  });

  it('says a refusal in zh-CN, naming the permission', () => {
    setDisplayLanguage('zh-CN');
    const refused = responseError({
      name: 'NotAllowedError',
      message: 'You are not allowed to manage credentials',
      code: 'not-allowed',
      permission: 'vault.credential.manage',
    });
    expect(serverErrorMessage(refused)).toBe(
      '没有权限（需要 vault.credential.manage）',
    );
    expect(
      serverErrorMessage({ code: 'internal', reference: 'ab12' }, 'zh-CN'),
    ).toBe('服务器内部错误（参考编号 ab12）');
  });

  it("keeps the server's message in en and for unknown codes", () => {
    const refused = responseError({
      message: 'You are not allowed to manage credentials',
      code: 'not-allowed',
    });
    expect(serverErrorMessage(refused, 'en')).toBe(
      'You are not allowed to manage credentials',
    );
    expect(
      serverErrorMessage(responseError({ message: 'odd', code: 'x' }), 'zh-CN'),
    ).toBe('odd');
    expect(serverErrorMessage(new Error('network down'), 'zh-CN')).toBe(
      'network down',
    );
  });

  it("says a plugin's own code in its text, an unknown one by its status with the server's words as detail", () => {
    const tooLarge = Object.assign(new Error('Request failed'), {
      statusCode: 413,
      body: {
        error: {
          message: 'The file is larger than 10 bytes',
          code: 'files-upload-too-large',
          maxBytes: 10,
        },
        response: { statusCode: 413 },
      },
    });
    const texts: ErrorCodeTexts = {
      'files-upload-too-large': e => `文件超过上限 ${e.maxBytes} 字节`,
    };
    expect(serverErrorMessage(tooLarge, { language: 'zh-CN', texts })).toBe(
      '文件超过上限 10 字节',
    );
    expect(serverErrorMessage(tooLarge, { language: 'en', texts })).toBe(
      '文件超过上限 10 字节',
    );
    // the same refusal where the portal does not know the code
    expect(serverErrorMessage(tooLarge, 'zh-CN')).toBe(
      '输入有误：The file is larger than 10 bytes',
    );
    expect(serverErrorMessage(tooLarge, 'en')).toBe(
      'The file is larger than 10 bytes',
    );
    // a raw response body (as a non-fetch client reads it)
    expect(
      serverErrorMessage(
        {
          error: { message: 'Not yours', code: 'files-upload-not-yours' },
          response: { statusCode: 403 },
        },
        'zh-CN',
      ),
    ).toBe('没有权限执行此操作（Not yours）');
  });
});
