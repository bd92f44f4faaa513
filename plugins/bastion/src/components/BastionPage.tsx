import { Content, Header, LinkButton, Page } from '@backstage/core-components';
import { Box, Tab, Tabs } from '@material-ui/core';
import { ReactNode, useState } from 'react';
import { Route, Routes } from 'react-router-dom';
import { CommandsTab } from './CommandsTab';
import { useT } from './common';
import { GrantsTab } from './GrantsTab';
import { MyAssetsPage } from './MyAssetsPage';
import { MfaTab } from './MfaTab';
import { ReplayPage } from './ReplayPage';
import { ReviewsTab } from './ReviewsTab';
import { RulesTab } from './RulesTab';
import { LiveTab, SessionsTab } from './SessionsTabs';
import { TerminalPage } from './TerminalPage';
import {
  bastionGrantReadPermission,
  bastionSessionOpenPermission,
  bastionSessionReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { RequireAnyPermission } from '@opsdeck/plugin-opsdeck-common/react';

/** Who may see the bastion at all: those who connect, review or grant. */
const bastionPermissions = [
  bastionSessionOpenPermission,
  bastionSessionReadPermission,
  bastionGrantReadPermission,
];

function Overview() {
  const t = useT();
  const [tab, setTab] = useState(0);
  const tabs: Array<[string, ReactNode]> = [
    [t('tabs.sessions'), <SessionsTab />],
    [t('tabs.live'), <LiveTab />],
    [t('tabs.commands'), <CommandsTab />],
    [t('tabs.grants'), <GrantsTab />],
    [t('tabs.rules'), <RulesTab />],
    [t('tabs.reviews'), <ReviewsTab />],
    [t('tabs.mfa'), <MfaTab />],
  ];
  return (
    <Page themeId="tool">
      <Header title={t('page.title')} subtitle={t('page.subtitle')}>
        <RequireAnyPermission
          permissions={[bastionSessionOpenPermission]}
          fallback={null}
        >
          <LinkButton to="/bastion/assets" variant="contained" color="default">
            {t('assets.title')}
          </LinkButton>
        </RequireAnyPermission>
      </Header>
      <Content>
        <RequireAnyPermission permissions={bastionPermissions}>
          <Tabs
            value={tab}
            onChange={(_e, v) => setTab(v)}
            indicatorColor="primary"
          >
            {tabs.map(([label]) => (
              <Tab key={label} label={label} />
            ))}
          </Tabs>
          <Box mt={2}>{tabs[tab][1]}</Box>
        </RequireAnyPermission>
      </Content>
    </Page>
  );
}

/** The bastion's pages: overview tabs, my assets with terminal tabs, terminal per host, replay/watch per session. */
export function BastionPage() {
  return (
    <Routes>
      <Route path="/" element={<Overview />} />
      <Route path="/assets" element={<MyAssetsPage />} />
      <Route path="/hosts/:name" element={<TerminalPage />} />
      <Route path="/sessions/:id" element={<ReplayPage />} />
    </Routes>
  );
}
