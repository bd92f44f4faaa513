import { useEffect, useState } from 'react';
import {
  AppRootElementBlueprint,
  createFrontendModule,
  useApi,
} from '@backstage/frontend-plugin-api';
import { appLanguageApiRef } from '@backstage/core-plugin-api/alpha';
import { setDisplayLanguage } from '@opsdeck/plugin-opsdeck-common';

/**
 * Keeps opsdeck's date and number formatting (opsdeck-common's
 * formatDateTime/formatNumber) in the language the user picked. It subscribes
 * before any translated screen re-renders: the new language's texts load
 * asynchronously, after this synchronous update.
 */
function DisplayLanguageSync() {
  const languageApi = useApi(appLanguageApiRef);
  useState(() => setDisplayLanguage(languageApi.getLanguage().language));
  useEffect(() => {
    const sub = languageApi
      .language$()
      .subscribe(({ language }) => setDisplayLanguage(language));
    return () => sub.unsubscribe();
  }, [languageApi]);
  return null;
}

/** App module that installs {@link DisplayLanguageSync}. */
export const displayLanguageModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    AppRootElementBlueprint.make({
      name: 'display-language',
      params: { element: <DisplayLanguageSync /> },
    }),
  ],
});
