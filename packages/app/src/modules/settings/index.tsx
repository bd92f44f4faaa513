import userSettingsPlugin, {
  userSettingsTranslationRef as t,
} from '@backstage/plugin-user-settings/alpha';

/**
 * Backstage's Settings page with translated page and tab titles (the plugin
 * gives them as fixed English strings) and opsdeck's General tab, whose
 * language menu names zh-CN 简体中文.
 */
export const settingsPlugin = userSettingsPlugin.withOverrides({
  extensions: [
    userSettingsPlugin.getExtension('page:user-settings').override({
      params: { title: t('settingsLayout.title') },
    }),
    userSettingsPlugin.getExtension('sub-page:user-settings/general').override({
      params: {
        title: t('defaultSettingsPage.tabsTitle.general'),
        loader: () =>
          import('./GeneralSettings').then(m => <m.GeneralSettings />),
      },
    }),
    userSettingsPlugin
      .getExtension('sub-page:user-settings/auth-providers')
      .override({
        params: { title: t('defaultSettingsPage.tabsTitle.authProviders') },
      }),
    userSettingsPlugin
      .getExtension('sub-page:user-settings/feature-flags')
      .override({
        params: { title: t('defaultSettingsPage.tabsTitle.featureFlags') },
      }),
  ],
});
export { displayLanguageModule } from './displayLanguage';
