import { Content, Header, Page } from '@backstage/core-components';
import { Box, Tab, Tabs } from '@material-ui/core';
import {
  monitoringAlertReadPermission,
  monitoringMetricsReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import {
  RequireAnyPermission,
  useAllowed,
} from '@opsdeck/plugin-opsdeck-common/react';
import useAsync from 'react-use/esm/useAsync';
import { useSearchParams } from 'react-router-dom';
import { FleetTab } from '../fleet/FleetTab';
import { OnCallTab } from '../oncall/OnCallTab';
import { AlertsTab } from './AlertsTab';
import { ChannelsTab } from './ChannelsTab';
import { ProbesTab } from './ProbesTab';
import { RulesTab } from './RulesTab';
import { SilencesTab } from './SilencesTab';
import { ErrorNotice, useMonitoringClient, useT } from './hooks';

const ALERT_TABS = [
  'alerts',
  'rules',
  'silences',
  'probes',
  'channels',
  'oncall',
] as const;
type TabId = (typeof ALERT_TABS)[number] | 'fleet';

/** The tabs the user may see: alerts and co. with alert.read, the fleet with metrics.read. */
function Tabbed(props: { alerts: boolean; fleet: boolean }) {
  const t = useT();
  const client = useMonitoringClient();
  const [params, setParams] = useSearchParams();
  const tabs: TabId[] = [
    ...(props.alerts ? ALERT_TABS : []),
    ...(props.fleet ? (['fleet'] as const) : []),
  ];
  const tab: TabId = tabs.includes(params.get('tab') as TabId)
    ? (params.get('tab') as TabId)
    : tabs[0];
  const templates = useAsync(
    async () => (props.alerts ? client.ruleTemplates() : []),
    [client, props.alerts],
  );
  return (
    <>
      <Tabs
        value={tab}
        onChange={(_e, next: TabId) => setParams({ tab: next })}
        indicatorColor="primary"
      >
        {tabs.map(id => (
          <Tab key={id} value={id} label={t(`tabs.${id}`)} />
        ))}
      </Tabs>
      <Box mt={2}>
        {templates.error && ['rules', 'silences', 'probes'].includes(tab) && (
          <ErrorNotice t={t} error={templates.error} />
        )}
        {tab === 'alerts' && <AlertsTab />}
        {tab === 'rules' && <RulesTab templates={templates.value ?? []} />}
        {tab === 'silences' && (
          <SilencesTab templates={templates.value ?? []} />
        )}
        {tab === 'probes' && <ProbesTab />}
        {tab === 'channels' && <ChannelsTab />}
        {tab === 'oncall' && <OnCallTab />}
        {tab === 'fleet' && <FleetTab />}
      </Box>
    </>
  );
}

function Allowed() {
  const alerts = useAllowed(monitoringAlertReadPermission);
  const fleet = useAllowed(monitoringMetricsReadPermission);
  if (alerts.loading || fleet.loading) return null;
  return <Tabbed alerts={alerts.allowed} fleet={fleet.allowed} />;
}

/** Monitoring and alerts at /monitoring: alerts, rules, silences, probes, channels, on-call rotations, the fleet. */
export function MonitoringPage() {
  const t = useT();
  return (
    <Page themeId="tool">
      <Header title={t('page.title')} subtitle={t('page.subtitle')} />
      <Content>
        <RequireAnyPermission
          permissions={[
            monitoringAlertReadPermission,
            monitoringMetricsReadPermission,
          ]}
        >
          <Allowed />
        </RequireAnyPermission>
      </Content>
    </Page>
  );
}
