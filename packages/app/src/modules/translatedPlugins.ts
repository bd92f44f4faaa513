import catalogPlugin from '@backstage/plugin-catalog/alpha';
import techdocsPlugin from '@backstage/plugin-techdocs/alpha';
import notificationsPlugin from '@backstage/plugin-notifications/alpha';
import { translatedTitle } from './scaffolderTitles';

/**
 * Backstage plugins whose page and tab titles are fixed English, with those
 * titles in the reader's language (see translatedTitle).
 */
export const translatedCatalogPlugin = catalogPlugin.withOverrides({
  extensions: [
    translatedTitle(catalogPlugin.getExtension('page:catalog'), 'titles.catalog'),
    translatedTitle(
      catalogPlugin.getExtension('entity-content:catalog/overview'),
      'titles.overview',
    ),
  ],
});

export const translatedTechdocsPlugin = techdocsPlugin.withOverrides({
  extensions: [
    translatedTitle(techdocsPlugin.getExtension('page:techdocs'), 'titles.docs'),
  ],
});

export const translatedNotificationsPlugin = notificationsPlugin.withOverrides(
  {
    extensions: [
      translatedTitle(
        notificationsPlugin.getExtension('page:notifications'),
        'titles.notifications',
      ),
    ],
  },
);
