import {
  monitoringAlertReadPermission,
  monitoringAlertReceivePermission,
  monitoringChannelTestPermission,
  monitoringSdReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import type { OperationAccess } from '@opsdeck/plugin-opsdeck-node';
import type { spec } from './openapi.generated';

/**
 * Who may call each operation; checked before the request is validated.
 * Service discovery and the webhook are for Prometheus' and Alertmanager's
 * static tokens (services); the rest for people.
 */
export const access: OperationAccess<typeof spec> = {
  'GET /sd/{kind}': {
    permission: monitoringSdReadPermission,
    allow: ['service'],
  },
  'POST /alerts/webhook': {
    permission: monitoringAlertReceivePermission,
    allow: ['service'],
  },
  'GET /alerts': { permission: monitoringAlertReadPermission, allow: ['user'] },
  'GET /alerts/{id}/deliveries': {
    permission: monitoringAlertReadPermission,
    allow: ['user'],
  },
  'GET /channels': {
    permission: monitoringAlertReadPermission,
    allow: ['user'],
  },
  'POST /channels/{name}/test': {
    permission: monitoringChannelTestPermission,
    allow: ['user'],
  },
};
