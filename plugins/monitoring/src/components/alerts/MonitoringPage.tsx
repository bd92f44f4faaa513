import { Content, Header, Page } from '@backstage/core-components';
import { Box, Tab, Tabs } from '@material-ui/core';
import { monitoringAlertReadPermission } from '@opsdeck/plugin-opsdeck-common';
import { RequireAnyPermission } from '@opsdeck/plugin-opsdeck-common/react';
import useAsync from 'react-use/esm/useAsync';
import { useSearchParams } from 'react-router-dom';
import { AlertsTab } from './AlertsTab';
import { ProbesTab } from './ProbesTab';
import { RulesTab } from './RulesTab';
import { SilencesTab } from './SilencesTab';
import { ErrorNotice, useMonitoringClient, useT } from './hooks';

const TABS = ['alerts', 'rules', 'silences', 'probes'] as const;
type TabId = (typeof TABS)[number];

function Tabbed() {
  const t = useT();
  const client = useMonitoringClient();
  const [params, setParams] = useSearchParams();
  const tab: TabId = TABS.includes(params.get('tab') as TabId)
    ? (params.get('tab') as TabId)
    : 'alerts';
  const templates = useAsync(() => client.ruleTemplates(), [client]);
  return (
    <>
      <Tabs
        value={tab}
        onChange={(_e, next: TabId) => setParams({ tab: next })}
        indicatorColor="primary"
      >
        {TABS.map(id => (
          <Tab key={id} value={id} label={t(`tabs.${id}`)} />
        ))}
      </Tabs>
      <Box mt={2}>
        {templates.error && tab !== 'alerts' && (
          <ErrorNotice t={t} error={templates.error} />
        )}
        {tab === 'alerts' && <AlertsTab />}
        {tab === 'rules' && <RulesTab templates={templates.value ?? []} />}
        {tab === 'silences' && (
          <SilencesTab templates={templates.value ?? []} />
        )}
        {tab === 'probes' && <ProbesTab />}
      </Box>
    </>
  );
}

/** Monitoring and alerts at /monitoring: alerts, rules, silences, probes. */
export function MonitoringPage() {
  const t = useT();
  return (
    <Page themeId="tool">
      <Header title={t('page.title')} subtitle={t('page.subtitle')} />
      <Content>
        <RequireAnyPermission permissions={[monitoringAlertReadPermission]}>
          <Tabbed />
        </RequireAnyPermission>
      </Content>
    </Page>
  );
}
