import { Content, Header, Page } from '@backstage/core-components';
import { Grid, Typography } from '@material-ui/core';
import { bastionSessionOpenPermission } from '@opsdeck/plugin-opsdeck-common';
import { RequireAnyPermission } from '@opsdeck/plugin-opsdeck-common/react';
import { useCallback, useRef, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { AssetList } from './AssetList';
import { Loaded, useT } from './common';
import { TerminalWorkspace, type TerminalTab } from './TerminalWorkspace';
import { useBastionClient } from './useBastion';

/** Tabs of the workspace: open adds one in front; close picks a neighbour. */
export function useTerminalTabs() {
  const [tabs, setTabs] = useState<TerminalTab[]>([]);
  const [active, setActive] = useState<number>();
  const next = useRef(1);
  const open = useCallback((host: string) => {
    const id = next.current++;
    setTabs(list => [...list, { id, host }]);
    setActive(id);
  }, []);
  const close = useCallback(
    (id: number) => {
      const at = tabs.findIndex(tab => tab.id === id);
      const rest = tabs.filter(tab => tab.id !== id);
      setTabs(rest);
      if (id === active) setActive(rest[Math.min(at, rest.length - 1)]?.id);
    },
    [tabs, active],
  );
  return { tabs, active, open, close, select: setActive };
}

/** The person's assets and the terminals opened from them. */
export function MyAssets() {
  const t = useT();
  const client = useBastionClient();
  const assets = useAsync(() => client.myAssets(), [client]);
  const { tabs, active, open, close, select } = useTerminalTabs();
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={4} data-testid="my-assets">
        <Loaded state={assets}>
          {value => (
            <AssetList
              assets={value.items}
              truncated={value.truncated}
              onOpen={open}
            />
          )}
        </Loaded>
      </Grid>
      <Grid item xs={12} md={8}>
        <Typography variant="h6" component="h2" gutterBottom>
          {t('workspace.title')}
        </Typography>
        <TerminalWorkspace
          tabs={tabs}
          active={active}
          onSelect={select}
          onClose={close}
        />
      </Grid>
    </Grid>
  );
}

/** `/bastion/assets`: My assets, for those who may open terminals. */
export function MyAssetsPage() {
  const t = useT();
  return (
    <Page themeId="tool">
      <Header title={t('assets.title')} subtitle={t('assets.subtitle')} />
      <Content>
        <RequireAnyPermission permissions={[bastionSessionOpenPermission]}>
          <MyAssets />
        </RequireAnyPermission>
      </Content>
    </Page>
  );
}
