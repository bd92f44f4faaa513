import { Content, Header, Page } from '@backstage/core-components';
import { configReadPermission } from '@opsdeck/plugin-opsdeck-common';
import { RequireAnyPermission } from '@opsdeck/plugin-opsdeck-common/react';
import { Route, Routes } from 'react-router-dom';
import { SetDetailPage } from './SetDetailPage';
import { SetList } from './SetList';
import { useT } from './hooks';

/** Configuration management: the sets at /config, one set at /config/:id. */
export function ConfigPage() {
  const t = useT();
  return (
    <Page themeId="tool">
      <Header title={t('page.title')} subtitle={t('page.subtitle')} />
      <Content>
        <RequireAnyPermission permissions={[configReadPermission]}>
          <Routes>
            <Route path="/" element={<SetList />} />
            <Route path="/:id" element={<SetDetailPage />} />
          </Routes>
        </RequireAnyPermission>
      </Content>
    </Page>
  );
}
