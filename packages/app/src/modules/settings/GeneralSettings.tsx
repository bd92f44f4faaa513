import Grid from '@material-ui/core/Grid';
import List from '@material-ui/core/List';
import {
  Content,
  InfoCard,
  useSidebarPinState,
} from '@backstage/core-components';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  UserSettingsIdentityCard,
  UserSettingsPinToggle,
  UserSettingsProfileCard,
  UserSettingsThemeToggle,
} from '@backstage/plugin-user-settings';
import { userSettingsTranslationRef } from '@backstage/plugin-user-settings/alpha';
import { LanguageToggle } from './LanguageToggle';

/**
 * Settings' General tab: Backstage's profile, appearance and identity cards,
 * with opsdeck's language menu in the appearance card.
 */
export function GeneralSettings() {
  const { isMobile } = useSidebarPinState();
  const { t } = useTranslationRef(userSettingsTranslationRef);
  return (
    <Content>
      <Grid container direction="row" spacing={3}>
        <Grid item xs={12} md={6}>
          <UserSettingsProfileCard />
        </Grid>
        <Grid item xs={12} md={6}>
          <InfoCard title={t('appearanceCard.title')} variant="gridItem">
            <List dense>
              <UserSettingsThemeToggle />
              <LanguageToggle />
              {!isMobile && <UserSettingsPinToggle />}
            </List>
          </InfoCard>
        </Grid>
        <Grid item xs={12} md={6}>
          <UserSettingsIdentityCard />
        </Grid>
      </Grid>
    </Content>
  );
}
