import { cloneElement, useMemo } from 'react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { Content, Header, Page, Progress } from '@backstage/core-components';
import { CustomHomepageGrid } from '@backstage/plugin-home';
import type { HomePageLayoutProps } from '@backstage/plugin-home-react/alpha';
import { usePermission } from '@backstage/plugin-permission-react';
import { workbenchTranslationRef } from './translation';
import {
  visibleCardNames,
  WORKBENCH_CARDS,
  WORKBENCH_PERMISSIONS,
  type WorkbenchPermission,
} from './widgets';

const GRID_COLUMNS = { xl: 12, lg: 12, md: 12, sm: 6, xs: 4, xxs: 2 };

function useWorkbenchPermissions() {
  const p = WORKBENCH_PERMISSIONS;
  const checks: Record<
    WorkbenchPermission,
    ReturnType<typeof usePermission>
  > = {
    tickets: usePermission({ permission: p.tickets }),
    sqlApprove: usePermission({ permission: p.sqlApprove }),
    terminals: usePermission({ permission: p.terminals }),
    jobs: usePermission({ permission: p.jobs }),
    hosts: usePermission({ permission: p.hosts }),
    audit: usePermission({ permission: p.audit }),
    alerts: usePermission({ permission: p.alerts }),
  };
  const loading = Object.values(checks).some(c => c.loading);
  const allowed = Object.fromEntries(
    Object.entries(checks).map(([k, c]) => [k, c.allowed]),
  ) as Record<WorkbenchPermission, boolean>;
  return { loading, allowed };
}

/**
 * The workbench: Backstage home's customisable grid with the cards the
 * person may read (a card without its permission is left out, not shown as
 * an error) and translated card titles.
 */
export function WorkbenchLayout(props: HomePageLayoutProps) {
  const { t } = useTranslationRef(workbenchTranslationRef);
  const { loading, allowed } = useWorkbenchPermissions();
  const visible = useMemo(() => visibleCardNames(allowed), [allowed]);
  const titles = new Map(WORKBENCH_CARDS.map(c => [c.name, c.title]));
  const widgets = props.widgets.filter(
    w => !w.name || !titles.has(w.name) || visible.has(w.name),
  );
  const config = props.defaultConfig
    ?.filter(c => !titles.has(c.component) || visible.has(c.component))
    .map(c => ({
      component: c.component,
      x: c.column,
      y: c.row,
      width: c.width,
      height: c.height,
      movable: c.movable,
      deletable: c.deletable,
      resizable: c.resizable,
    }));
  return (
    <Page themeId="home">
      <Header title={t('page.title')} subtitle={t('page.subtitle')} />
      <Content>
        {loading ? (
          <Progress />
        ) : (
          <div data-testid="workbench">
            <CustomHomepageGrid
              config={config}
              rowHeight={50}
              // 12 columns from 960 px of content up: the layout is the same
              // at 1280 and 1920 px windows (the sidebar takes its share)
              cols={GRID_COLUMNS}
            >
              {widgets.map(w => {
                const title = w.name ? titles.get(w.name) : undefined;
                return cloneElement(w.component, {
                  key: w.name ?? w.node.spec.id,
                  ...(title ? { title: t(title) } : {}),
                });
              })}
            </CustomHomepageGrid>
          </div>
        )}
      </Content>
    </Page>
  );
}
