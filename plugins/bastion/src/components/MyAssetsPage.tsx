import { Content, Header, Page } from '@backstage/core-components';
import { Grid, Typography } from '@material-ui/core';
import { bastionSessionOpenPermission } from '@opsdeck/plugin-opsdeck-common';
import { RequireAnyPermission } from '@opsdeck/plugin-opsdeck-common/react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Alert } from '@material-ui/lab';
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

/** At most this many terminals are opened from `?open=`. */
export const MAX_OPEN = 10;

/**
 * The hosts of `?open=web-01,web-02` (the Hosts page's "Open terminals"),
 * split into those among the person's assets and the others (no grant now).
 * Each name is only compared with the assets' names, never sent anywhere.
 */
export function hostsToOpen(
  value: string | null,
  assets: { name: string }[],
): { open: string[]; refused: string[] } {
  const names = [
    ...new Set(
      (value ?? '')
        .split(',')
        .map(n => n.trim())
        .filter(Boolean),
    ),
  ].slice(0, MAX_OPEN);
  const mine = new Set(assets.map(a => a.name));
  return {
    open: names.filter(n => mine.has(n)),
    refused: names.filter(n => !mine.has(n)),
  };
}

/** The person's assets and the terminals opened from them. */
export function MyAssets() {
  const t = useT();
  const client = useBastionClient();
  const assets = useAsync(() => client.myAssets(), [client]);
  const { tabs, active, open, close, select } = useTerminalTabs();
  // `?open=` opens its hosts once, when the assets are known
  const [params, setParams] = useSearchParams();
  const [refused, setRefused] = useState<string[]>([]);
  const wanted = params.get('open');
  useEffect(() => {
    if (wanted === null || !assets.value) return;
    const split = hostsToOpen(wanted, assets.value.items);
    split.open.forEach(open);
    setRefused(split.refused);
    const rest = new URLSearchParams(params);
    rest.delete('open');
    setParams(rest, { replace: true });
  }, [wanted, assets.value, open, params, setParams]);
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
        {refused.length > 0 && (
          <Alert
            severity="warning"
            onClose={() => setRefused([])}
            data-testid="terminals-refused"
          >
            {t('workspace.refused', { hosts: refused.join(', ') })}
          </Alert>
        )}
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
