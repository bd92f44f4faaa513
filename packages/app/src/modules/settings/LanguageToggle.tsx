import { useEffect, useState } from 'react';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import ListItemSecondaryAction from '@material-ui/core/ListItemSecondaryAction';
import { Select } from '@backstage/core-components';
import { appLanguageApiRef } from '@backstage/core-plugin-api/alpha';
import { useApi, useTranslationRef } from '@backstage/frontend-plugin-api';
import { userSettingsTranslationRef } from '@backstage/plugin-user-settings/alpha';
import { languageName } from './languageNames';

/** Settings' language menu, listing each language by {@link languageName}. */
export function LanguageToggle() {
  const languageApi = useApi(appLanguageApiRef);
  const { t } = useTranslationRef(userSettingsTranslationRef);
  const [language, setLanguage] = useState(languageApi.getLanguage().language);
  useEffect(() => {
    const sub = languageApi
      .language$()
      .subscribe(next => setLanguage(next.language));
    return () => sub.unsubscribe();
  }, [languageApi]);
  const { languages } = languageApi.getAvailableLanguages();
  if (languages.length <= 1) return null;
  return (
    <ListItem>
      <ListItemText
        primary={t('languageToggle.title')}
        secondary={t('languageToggle.description')}
      />
      <ListItemSecondaryAction>
        <Select
          label=""
          selected={language}
          items={languages.map(l => ({ label: languageName(l), value: l }))}
          onChange={selected => languageApi.setLanguage(String(selected))}
        />
      </ListItemSecondaryAction>
    </ListItem>
  );
}
