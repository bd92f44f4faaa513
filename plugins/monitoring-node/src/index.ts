/**
 * opsdeck's alert channels for backend plugins: `alertChannelsServiceRef`
 * sends a message through monitoring's channels (mail, DingTalk, WeCom,
 * Feishu, webhooks) over HTTP; other plugins never import
 * `@opsdeck/plugin-monitoring-backend`.
 *
 * @packageDocumentation
 */
export type {
  AlertChannelMessage,
  AlertChannelOutcome,
  AlertChannelSeverity,
} from './model';
export {
  alertChannelsServiceRef,
  DefaultAlertChannelsService,
  type AlertChannelsService,
} from './service';
