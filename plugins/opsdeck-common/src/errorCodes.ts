import { getDisplayLanguage } from './format';

/**
 * The stable code every opsdeck error response carries in `error.code` (next
 * to Backstage's English `error.message`), so the portal can say what went
 * wrong in the reader's language. The request edge (opsdeck-node) sets it from
 * the response status; a refusal for a missing permission also names the
 * permission in `error.permission`, a server error its log reference in
 * `error.reference`.
 */
export type OpsdeckErrorCode =
  | 'invalid-input'
  | 'not-signed-in'
  | 'not-allowed'
  | 'not-found'
  | 'conflict'
  | 'internal'
  | 'unavailable';

/** The code of an error answered with HTTP `status`. */
export function errorCodeForStatus(status: number): OpsdeckErrorCode {
  switch (status) {
    case 400:
    case 413:
    case 422:
      return 'invalid-input';
    case 401:
      return 'not-signed-in';
    case 403:
      return 'not-allowed';
    case 404:
      return 'not-found';
    case 409:
    case 412:
      return 'conflict';
    case 503:
      return 'unavailable';
    default:
      return status >= 500 ? 'internal' : 'invalid-input';
  }
}

/** The `error` part of an error response body, as opsdeck answers it. */
export interface OpsdeckErrorBody {
  name?: string;
  message?: string;
  code?: string;
  permission?: string;
  reference?: string;
  [detail: string]: unknown;
}

/**
 * A plugin's own error codes (`files-upload-too-large`, …) and what each says
 * in the display language, from the plugin's translation ref: a string, or a
 * function of the error body when the text names one of its fields.
 */
export type ErrorCodeTexts = Record<
  string,
  string | ((error: OpsdeckErrorBody) => string)
>;

type Texts = Record<OpsdeckErrorCode, (e: OpsdeckErrorBody) => string>;

// What each code says in zh-CN; the server's English message stays the detail
// for input errors and conflicts (it names the field or the state).
const ZH_CN: Texts = {
  'invalid-input': e => `输入有误${e.message ? `：${e.message}` : ''}`,
  'not-signed-in': () => '未登录或登录已过期，请重新登录。',
  'not-allowed': e =>
    e.permission ? `没有权限（需要 ${e.permission}）` : '没有权限执行此操作',
  'not-found': () => '未找到请求的对象。',
  conflict: e => `与当前状态冲突${e.message ? `：${e.message}` : ''}`,
  internal: e =>
    e.reference
      ? `服务器内部错误（参考编号 ${e.reference}）`
      : '服务器内部错误',
  unavailable: () => '服务暂不可用，请稍后重试。',
};

const TEXTS: Record<string, Texts> = { 'zh-CN': ZH_CN };

// Codes whose zh-CN text already carries the server's message as detail.
const WITH_DETAIL = new Set<string>(['invalid-input', 'conflict']);

function bodyOf(error: unknown): OpsdeckErrorBody | undefined {
  const body = (error as { body?: { error?: OpsdeckErrorBody } })?.body?.error;
  if (body && typeof body === 'object') return body;
  const direct = error as OpsdeckErrorBody | undefined;
  return direct && typeof direct === 'object' && 'code' in direct
    ? direct
    : undefined;
}

/** The HTTP status of a ResponseError or of an error response body. */
function statusOf(error: unknown): number | undefined {
  const e = error as {
    statusCode?: unknown;
    body?: { response?: { statusCode?: unknown } };
    response?: { statusCode?: unknown };
  };
  for (const value of [
    e?.statusCode,
    e?.body?.response?.statusCode,
    e?.response?.statusCode,
  ]) {
    if (typeof value === 'number' && value >= 400 && value <= 599) {
      return value;
    }
  }
  return undefined;
}

/** Options of {@link serverErrorMessage}. */
export interface ServerErrorMessageOptions {
  /** The display language; the portal's current one when unset. */
  language?: string;
  /** The calling plugin's own codes in the display language. */
  texts?: ErrorCodeTexts;
}

/**
 * What to show for a failed request. A code of the calling plugin
 * (`options.texts`) says its own text; one of opsdeck's codes says it in the
 * display language when opsdeck has a text for it there; an unknown code says
 * what its status means, with the server's message as the detail; otherwise
 * the server's message. Takes a ResponseError (its `body.error`), an error
 * response body (`{ error, response }`), an error body, or any Error.
 */
export function serverErrorMessage(
  error: unknown,
  options: string | ServerErrorMessageOptions = {},
): string {
  const { language = getDisplayLanguage(), texts: own } =
    typeof options === 'string' ? { language: options } : options;
  const body =
    bodyOf(error) ??
    bodyOf({ body: (error as { error?: unknown })?.error ? error : undefined });
  const mine = body?.code ? own?.[body.code] : undefined;
  if (mine !== undefined) {
    return typeof mine === 'function' ? mine(body!) : mine;
  }
  const texts = language ? TEXTS[language] : undefined;
  const text = body?.code && texts?.[body.code as OpsdeckErrorCode];
  if (text) return text(body!);
  const status = statusOf(error);
  if (body && texts && status !== undefined) {
    // a code this portal does not know: what its status means, and the
    // server's words as the detail
    const code = errorCodeForStatus(status);
    const general = texts[code](body);
    return body.message && !WITH_DETAIL.has(code)
      ? `${general}（${body.message}）`
      : general;
  }
  if (body?.message) return body.message;
  return error instanceof Error ? error.message : String(error);
}
