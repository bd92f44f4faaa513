import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  type AuthService,
  type DiscoveryService,
} from '@backstage/backend-plugin-api';
import type { AlertChannelMessage, AlertChannelOutcome } from './model';

/**
 * Sends messages through monitoring's alert channels (mail, DingTalk, WeCom,
 * Feishu, webhooks) from another backend plugin.
 *
 * @public
 */
export interface AlertChannelsService {
  /**
   * Sends the message to each named channel; one outcome per channel (a
   * channel that failed does not fail the others). Throws when monitoring
   * could not be asked or refused the whole request (an unknown channel,
   * a caller that is not a plugin): then nothing was sent.
   */
  send(message: AlertChannelMessage): Promise<AlertChannelOutcome[]>;
}

/**
 * The client of monitoring-backend's `POST /channels/send`: the URL from
 * discovery, the plugin's own service credentials as a plugin-to-plugin
 * token for `monitoring` (as Backstage's notification service does it).
 */
export class DefaultAlertChannelsService implements AlertChannelsService {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
  ) {}

  async send(message: AlertChannelMessage): Promise<AlertChannelOutcome[]> {
    if (message.channels.length === 0) return [];
    const baseUrl = await this.discovery.getBaseUrl('monitoring');
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: 'monitoring',
    });
    let response: Response;
    try {
      response = await fetch(`${baseUrl}/channels/send`, {
        method: 'POST',
        body: JSON.stringify(message),
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          Authorization: `Bearer ${token}`,
        },
      });
    } catch (e) {
      throw new Error(`Cannot reach monitoring's alert channels: ${e}`);
    }
    const body = (await response.json().catch(() => undefined)) as
      | {
          outcomes?: AlertChannelOutcome[];
          error?: { code?: string; message?: string };
        }
      | undefined;
    if (!response.ok || !Array.isArray(body?.outcomes)) {
      const code = body?.error?.code ? ` ${body.error.code}` : '';
      throw new Error(
        `monitoring's alert channels answered ${response.status}${code}: ${
          body?.error?.message ?? response.statusText
        }`,
      );
    }
    return body!.outcomes;
  }
}

/**
 * The alert channels service. Its default factory talks to monitoring-backend
 * over HTTP, so a plugin may depend on it without the backend registering
 * anything (tests give their own factory).
 *
 * @public
 */
export const alertChannelsServiceRef = createServiceRef<AlertChannelsService>({
  id: 'opsdeck.monitoring.alert-channels',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        auth: coreServices.auth,
        discovery: coreServices.discovery,
      },
      factory: ({ auth, discovery }) =>
        new DefaultAlertChannelsService(discovery, auth),
    }),
});
