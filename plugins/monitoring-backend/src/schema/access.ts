import {
  monitoringAlertAcknowledgePermission,
  monitoringAlertReadPermission,
  monitoringAlertReceivePermission,
  monitoringChannelTestPermission,
  monitoringMetricsReadPermission,
  monitoringRuleManagePermission,
  monitoringSdReadPermission,
  monitoringSilenceManagePermission,
} from '@opsdeck/plugin-opsdeck-common';
import type { OperationAccess } from '@opsdeck/plugin-opsdeck-node';
import type { spec } from './openapi.generated';

/**
 * Who may call each operation; checked before the request is validated.
 * Service discovery and the webhook are for Prometheus' and Alertmanager's
 * static tokens (services); the rest for people.
 */
const people = ['user' as const];
const read = { permission: monitoringAlertReadPermission, allow: people };
const rules = { permission: monitoringRuleManagePermission, allow: people };
const silences = {
  permission: monitoringSilenceManagePermission,
  allow: people,
};

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
  'POST /alerts/{id}/ack': {
    permission: monitoringAlertAcknowledgePermission,
    allow: people,
  },
  'DELETE /alerts/{id}/ack': {
    permission: monitoringAlertAcknowledgePermission,
    allow: people,
  },
  'GET /channels': {
    permission: monitoringAlertReadPermission,
    allow: ['user'],
  },
  // another backend plugin's message (monitoring-node): plugin-to-plugin
  // tokens only; the handler refuses services that are not plugins
  'POST /channels/send': {
    authenticate: ['service'],
    reason:
      'backend plugins send their alerts through the channels with their own service credentials; there is no person, and the channel names are checked by the handler',
  },
  'POST /channels/{name}/test': {
    permission: monitoringChannelTestPermission,
    allow: ['user'],
  },
  'GET /channels/{name}/preview': {
    permission: monitoringChannelTestPermission,
    allow: people,
  },
  // sending a delivery again is an ops action (an unknown one may be a
  // duplicate on the channel): those who manage rules and probes
  'POST /deliveries/{id}/retry': rules,
  'GET /rule-templates': read,
  'GET /rules': read,
  'POST /rules': rules,
  'PUT /rules/{id}': rules,
  'DELETE /rules/{id}': rules,
  'GET /rules/{id}/versions': read,
  'GET /silences': read,
  'POST /silences': silences,
  'DELETE /silences/{id}': silences,
  'GET /probes/sd': {
    permission: monitoringSdReadPermission,
    allow: ['service'],
  },
  'GET /probes/process/sd': {
    permission: monitoringSdReadPermission,
    allow: ['service'],
  },
  'GET /probes/process/metrics': {
    permission: monitoringSdReadPermission,
    allow: ['service'],
  },
  'GET /probes': read,
  'GET /probes/status': read,
  'POST /probes': rules,
  'PUT /probes/{id}': rules,
  'DELETE /probes/{id}': rules,
  // on-call rotations: read like alerts; managed by those who manage rules
  // and probes (the service also needs the group shown to the person)
  'GET /oncall/rotations': read,
  'GET /oncall/now': read,
  'POST /oncall/rotations': rules,
  'PUT /oncall/rotations/{id}': rules,
  'DELETE /oncall/rotations/{id}': rules,
  'POST /oncall/rotations/{id}/overrides': rules,
  'DELETE /oncall/rotations/{id}/overrides/{overrideId}': rules,
  'GET /fleet': {
    permission: monitoringMetricsReadPermission,
    allow: people,
  },
  'GET /entities/{kind}/{namespace}/{name}/panels': {
    permission: monitoringMetricsReadPermission,
    allow: people,
  },
};
