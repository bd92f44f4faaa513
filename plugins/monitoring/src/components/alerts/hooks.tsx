import { useMemo } from 'react';
import {
  coreApis,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import {
  formatDateTime,
  monitoringAlertAcknowledgePermission,
  monitoringChannelTestPermission,
  monitoringProbeScriptPermission,
  monitoringRuleManagePermission,
  monitoringSilenceManagePermission,
  serverErrorMessage,
  type ErrorCodeTexts,
  type OpsdeckErrorBody,
} from '@opsdeck/plugin-opsdeck-common';
import { entityCatalogPath } from '@opsdeck/plugin-opsdeck-common';
import { useAllowed } from '@opsdeck/plugin-opsdeck-common/react';
import { Alert } from '@material-ui/lab';
import { MonitoringClient } from '../../api';
import { monitoringTranslationRef } from '../../translation/translation';

export function useMonitoringClient(): MonitoringClient {
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  return useMemo(
    () => new MonitoringClient(discoveryApi, fetchApi),
    [discoveryApi, fetchApi],
  );
}

/**
 * The plugin's translation function as a plain function (Backstage's generic
 * message types make tsc very slow); keys are checked by the translation
 * test and the en/zh-CN browser test.
 */
export type MonitoringT = (
  key: string,
  options?: Record<string, string | number>,
) => string;

export function useT(): MonitoringT {
  return useTranslationRef(monitoringTranslationRef)
    .t as unknown as MonitoringT;
}

/** What the signed-in user may change (the UI hides the rest). */
export function useAbilities() {
  const rules = useAllowed(monitoringRuleManagePermission);
  const silences = useAllowed(monitoringSilenceManagePermission);
  const acknowledge = useAllowed(monitoringAlertAcknowledgePermission);
  const channels = useAllowed(monitoringChannelTestPermission);
  const scripts = useAllowed(monitoringProbeScriptPermission);
  return {
    canManageRules: rules.allowed,
    // script probes run code on hosts: a permission of their own as well
    canScriptProbes: rules.allowed && scripts.allowed,
    // sending a delivery again needs opsdeck.monitoring.rule.manage
    canRetryDeliveries: rules.allowed,
    canTestChannels: channels.allowed,
    canSilence: silences.allowed,
    canAcknowledge: acknowledge.allowed,
  };
}

export const formatTime = (iso?: string) =>
  iso ? formatDateTime(iso) : undefined;

/** The monitoring backend's own error codes in the reader's language. */
export function monitoringErrorTexts(t: MonitoringT): ErrorCodeTexts {
  const field = (e: OpsdeckErrorBody, k: string) => String(e[k] ?? '');
  return {
    'monitoring-target-invalid': t('errors.codes.targetInvalid'),
    'monitoring-target-unresolved': e =>
      t('errors.codes.targetUnresolved', { host: field(e, 'host') }),
    'monitoring-target-refused': e =>
      t('errors.codes.targetRefused', { addresses: field(e, 'addresses') }),
    'probe-script-unparseable': e =>
      t('errors.codes.scriptUnparseable', {
        line: field(e, 'line'),
        column: field(e, 'column'),
      }),
    'probe-script-too-large': e =>
      t('errors.codes.scriptTooLarge', { max: field(e, 'max') }),
    'probe-script-invalid': t('errors.codes.scriptInvalid'),
    'monitoring-interval-invalid': e =>
      t('errors.codes.intervalInvalid', { min: field(e, 'min') }),
    'monitoring-alertmanager-unset': t('errors.codes.alertmanagerUnset'),
    'monitoring-silence-refused': e =>
      t('errors.codes.silenceRefused', { detail: field(e, 'detail') }),
    'monitoring-silence-foreign': t('errors.codes.silenceForeign'),
    'monitoring-rule-name-missing': t('errors.codes.ruleNameMissing'),
    'monitoring-rules-refused': e =>
      t('errors.codes.rulesRefused', { detail: field(e, 'detail') }),
    'monitoring-threshold-invalid': t('errors.codes.thresholdInvalid'),
    'monitoring-for-invalid': t('errors.codes.forInvalid'),
    'monitoring-delivery-not-retryable': e =>
      t('errors.codes.deliveryNotRetryable', { state: field(e, 'state') }),
    'monitoring-delivery-unknown-unconfirmed': t(
      'errors.codes.deliveryUnknownUnconfirmed',
    ),
    'monitoring-channel-gone': e =>
      t('errors.codes.channelGone', { channel: field(e, 'channel') }),
    'monitoring-rate-limited': e =>
      t('errors.codes.rateLimited', {
        limit: field(e, 'limit'),
        seconds: field(e, 'retryAfterSeconds'),
      }),
    'monitoring-rotation-members-empty': t('errors.codes.rotationMembersEmpty'),
    'monitoring-rotation-member-invalid': t(
      'errors.codes.rotationMemberInvalid',
    ),
    'monitoring-rotation-member-duplicate': t(
      'errors.codes.rotationMemberDuplicate',
    ),
    'monitoring-rotation-shift-invalid': t('errors.codes.rotationShiftInvalid'),
    'monitoring-rotation-handoff-invalid': t(
      'errors.codes.rotationHandoffInvalid',
    ),
    'monitoring-rotation-timezone-invalid': t(
      'errors.codes.rotationTimezoneInvalid',
    ),
    'monitoring-rotation-start-invalid': t('errors.codes.rotationStartInvalid'),
    'monitoring-rotation-name-invalid': t('errors.codes.rotationNameInvalid'),
    'monitoring-rotation-group-invalid': t('errors.codes.rotationGroupInvalid'),
    'monitoring-rotation-name-taken': t('errors.codes.rotationNameTaken'),
    'monitoring-override-range-invalid': t('errors.codes.overrideRangeInvalid'),
    'monitoring-override-user-invalid': t('errors.codes.overrideUserInvalid'),
    'monitoring-override-overlap': t('errors.codes.overrideOverlap'),
    'monitoring-rotation-member-foreign': e =>
      t('errors.codes.rotationMemberForeign', {
        member: field(e, 'member'),
        group: field(e, 'group'),
      }),
  };
}

/**
 * What a failed call says: the backend's code in the reader's language
 * (opsdeck-common's serverErrorMessage), else its message.
 */
export function errorMessage(error: unknown, t?: MonitoringT): string {
  return serverErrorMessage(error, {
    texts: t ? monitoringErrorTexts(t) : undefined,
  });
}

/** An error notice with the backend's message. */
export function ErrorNotice(props: {
  t: MonitoringT;
  error: unknown;
  keyName?: string;
}) {
  return (
    <Alert severity="error" role="alert">
      {props.t(props.keyName ?? 'common.failed', {
        error: errorMessage(props.error, props.t),
      })}
    </Alert>
  );
}

/** The short name of an entity ref (`resource:default/web-01` → `web-01`). */
export function shortRef(ref: string): string {
  const slash = ref.lastIndexOf('/');
  return slash >= 0 ? ref.slice(slash + 1) : ref.slice(ref.indexOf(':') + 1);
}

/** The catalog page of an entity ref. */
export const entityPath = (ref: string) => entityCatalogPath(ref);
