import {
  formatDateTime,
  serverErrorMessage,
  type ErrorCodeTexts,
  type OpsdeckErrorBody,
} from '@opsdeck/plugin-opsdeck-common';
import type { BastionT } from './common';

/**
 * The bastion backend's own refusal codes (a terminal's or a live view's
 * WebSocket `error` message) in the reader's language.
 */
export function bastionErrorTexts(t: BastionT): ErrorCodeTexts {
  const s = (e: OpsdeckErrorBody, key: string) => String(e[key] ?? '');
  return {
    'bastion-host-unknown': e =>
      t('refusals.hostUnknown', { host: s(e, 'host') }),
    'bastion-no-grant': e =>
      e.loginUser
        ? t('refusals.noGrantAs', {
            host: s(e, 'host'),
            login: s(e, 'loginUser'),
          })
        : t('refusals.noGrant', { host: s(e, 'host') }),
    'bastion-grant-expired': e =>
      t('refusals.grantExpired', {
        host: s(e, 'host'),
        time: formatDateTime(s(e, 'expiredAt')),
      }),
    'bastion-mfa-required': e =>
      t('refusals.mfaRequired', { environment: s(e, 'environment') }),
    'bastion-host-key-changed': e =>
      t('refusals.hostKeyChanged', {
        host: s(e, 'host'),
        offered: s(e, 'offered'),
      }),
    'bastion-host-key-pending': e =>
      t('refusals.hostKeyPending', {
        host: s(e, 'host'),
        offered: s(e, 'offered'),
      }),
    'bastion-host-unreachable': e =>
      t('refusals.hostUnreachable', { host: s(e, 'host') }),
    'bastion-login-failed': e =>
      t('refusals.loginFailed', {
        host: s(e, 'host'),
        login: s(e, 'loginUser'),
      }),
    'bastion-connect-failed': e =>
      t('refusals.connectFailed', { host: s(e, 'host') }),
    'bastion-session-not-live': () => t('refusals.sessionNotLive', {}),
    'bastion-session-elsewhere': e =>
      t('refusals.sessionElsewhere', { instance: s(e, 'instance') }),
  };
}

/**
 * What to say for a WebSocket `error` message (`{ type: 'error', code,
 * message, …details }`): its code in the reader's language, opsdeck's codes
 * as opsdeck-common says them, else the server's message.
 */
export function refusalText(
  t: BastionT,
  message: OpsdeckErrorBody,
  /** The display language; the portal's current one when unset. */
  language?: string,
): string {
  return serverErrorMessage(message, {
    texts: bastionErrorTexts(t),
    ...(language ? { language } : {}),
  });
}
