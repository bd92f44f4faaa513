import {
  Sidebar,
  SidebarDivider,
  SidebarGroup,
  SidebarItem,
  SidebarScrollWrapper,
  SidebarSpace,
} from '@backstage/core-components';
import {
  NavContentBlueprint,
  NavContentComponentProps,
} from '@backstage/plugin-app-react';
import { SidebarLogo } from './SidebarLogo';
import MenuIcon from '@material-ui/icons/Menu';
import SearchIcon from '@material-ui/icons/Search';
import { SidebarSearchModal } from '@backstage/plugin-search';
import { UserSettingsSignInAvatar } from '@backstage/plugin-user-settings';
import { NotificationsSidebarItem } from '@backstage/plugin-notifications';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { appTranslationRef } from '../../translation/appTranslation';
import {
  RequireAnyPermission,
  RequireAnyPermissionProps,
} from '@opsdeck/plugin-opsdeck-common/react';
import {
  auditEventReadPermission,
  bastionGrantReadPermission,
  bastionSessionOpenPermission,
  bastionSessionReadPermission,
  cmdbHostReadPermission,
  filesFileReadPermission,
  jobsReadPermission,
  localAccountReadPermission,
  monitoringAlertReadPermission,
  monitoringMetricsReadPermission,
  reportReadPermission,
  configReadPermission,
  registryReadPermission,
  sqlInstanceReadPermission,
  ticketReadPermission,
  vaultCredentialReadPermission,
} from '@opsdeck/plugin-opsdeck-common';

/**
 * The permissions that open each opsdeck page: its sidebar entry shows only
 * to a user who holds one of them (the page itself says what is missing).
 */
const pagePermissions: Record<
  string,
  RequireAnyPermissionProps['permissions']
> = {
  'page:cmdb': [cmdbHostReadPermission],
  'page:audit': [auditEventReadPermission],
  'page:vault': [vaultCredentialReadPermission],
  'page:local-auth': [localAccountReadPermission],
  'page:jobs': [jobsReadPermission],
  'page:files': [filesFileReadPermission],
  'page:bastion': [
    bastionSessionOpenPermission,
    bastionSessionReadPermission,
    bastionGrantReadPermission,
  ],
  'page:sql': [sqlInstanceReadPermission],
  'page:tickets': [ticketReadPermission],
  'page:report': [reportReadPermission],
  'page:config': [configReadPermission],
  'page:registry': [registryReadPermission],
  'page:monitoring': [
    monitoringAlertReadPermission,
    monitoringMetricsReadPermission,
  ],
};

/** Backstage pages whose sidebar title the app translates (theirs is fixed English). */
const PAGE_TITLES = {
  'page:home': 'sidebar.home',
  'page:catalog-graph': 'sidebar.catalogGraph',
  'page:catalog-import': 'sidebar.catalogImport',
  'page:app-visualizer': 'sidebar.visualizer',
} as const;

export const SidebarContent = NavContentBlueprint.make({
  params: {
    component: ({ navItems }) => <OpsdeckSidebar navItems={navItems} />,
  },
});

function OpsdeckSidebar({ navItems }: NavContentComponentProps) {
  const { t } = useTranslationRef(appTranslationRef);
  const nav = navItems.withComponent(item => {
    const key = PAGE_TITLES[item.node.spec.id as keyof typeof PAGE_TITLES];
    const entry = (
      <SidebarItem
        icon={() => item.icon}
        to={item.href}
        text={key ? t(key) : item.title}
      />
    );
    const permissions = pagePermissions[item.node.spec.id];
    if (!permissions) return entry;
    return (
      <RequireAnyPermission permissions={permissions} fallback={null}>
        {entry}
      </RequireAnyPermission>
    );
  });

  // Skipped items
  nav.take('page:search'); // Using search modal instead
  nav.take('page:notifications'); // Using NotificationsSidebarItem manually instead

  return (
    <Sidebar>
      <SidebarLogo />
      <SidebarGroup
        label={t('sidebar.search')}
        icon={<SearchIcon />}
        to="/search"
      >
        <SidebarSearchModal />
      </SidebarGroup>
      <SidebarDivider />
      <SidebarGroup label={t('sidebar.menu')} icon={<MenuIcon />}>
        {nav.take('page:catalog')}
        {nav.take('page:cmdb')}
        {nav.take('page:scaffolder')}
        {nav.take('page:audit')}
        {nav.take('page:vault')}
        {nav.take('page:local-auth')}
        {nav.take('page:jobs')}
        {nav.take('page:files')}
        {nav.take('page:bastion')}
        {nav.take('page:sql')}
        {nav.take('page:tickets')}
        {nav.take('page:home')}
        <SidebarDivider />
        <SidebarScrollWrapper>
          {nav.rest({ sortBy: 'title' })}
        </SidebarScrollWrapper>
      </SidebarGroup>
      <SidebarSpace />
      <SidebarDivider />
      <NotificationsSidebarItem text={t('sidebar.notifications')} />
      <SidebarDivider />
      <SidebarGroup
        label={t('sidebar.settings')}
        icon={<UserSettingsSignInAvatar />}
        to="/settings"
      >
        {nav.take('page:app-visualizer')}
        {nav.take('page:user-settings')}
      </SidebarGroup>
    </Sidebar>
  );
}
