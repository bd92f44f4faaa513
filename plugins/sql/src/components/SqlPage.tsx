import { useMemo, useState } from 'react';
import {
  coreApis,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { Content, Header, Page } from '@backstage/core-components';
import { Tab, Tabs } from '@material-ui/core';
import { useSearchParams } from 'react-router-dom';
import { SqlClient } from '../api/SqlClient';
import { sqlTranslationRef } from '../translation/translation';
import { ChangesTab } from './ChangesTab';
import { SubmitTab } from './SubmitTab';
import { ConsoleTab } from './ConsoleTab';
import { SlowQueriesTab } from './SlowQueriesTab';
import { RulesTab } from './RulesTab';

/** The Databases page: changes, submit, console, slow queries, rules. */
export function SqlPage() {
  const { t } = useTranslationRef(sqlTranslationRef);
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  const client = useMemo(
    () => new SqlClient(discoveryApi, fetchApi),
    [discoveryApi, fetchApi],
  );
  const [tab, setTab] = useState(0);
  // every change has its own URL, /sql?change=<id> (notifications link there)
  const [params, setParams] = useSearchParams();
  const openChange = params.get('change') ?? undefined;
  const setOpenChange = (id: string | undefined) =>
    setParams(id ? { change: id } : {});
  return (
    <Page themeId="tool">
      <Header title={t('page.title')} subtitle={t('page.subtitle')} />
      <Content>
        <Tabs
          value={tab}
          onChange={(_, v) => setTab(v)}
          indicatorColor="primary"
        >
          <Tab label={t('tabs.changes')} />
          <Tab label={t('tabs.submit')} />
          <Tab label={t('tabs.console')} />
          <Tab label={t('tabs.slow')} />
          <Tab label={t('tabs.rules')} />
        </Tabs>
        {tab === 0 && (
          <ChangesTab
            client={client}
            openId={openChange}
            onOpen={setOpenChange}
          />
        )}
        {tab === 1 && (
          <SubmitTab
            client={client}
            onSubmitted={id => {
              setOpenChange(id);
              setTab(0);
            }}
          />
        )}
        {tab === 2 && <ConsoleTab client={client} />}
        {tab === 3 && <SlowQueriesTab client={client} />}
        {tab === 4 && <RulesTab client={client} />}
      </Content>
    </Page>
  );
}
