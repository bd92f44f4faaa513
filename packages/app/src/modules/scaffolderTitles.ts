import { ExtensionDefinition } from '@backstage/frontend-plugin-api';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import { appTranslationRef } from '../translation/appTranslation';

/** Keys of the app's translations that are page or tab titles. */
export type TitleKey =
  | 'titles.create'
  | 'titles.templates'
  | 'titles.tasks'
  | 'titles.actions'
  | 'titles.templateEditor'
  | 'titles.templatingExtensions'
  | 'titles.catalog'
  | 'titles.docs'
  | 'titles.search'
  | 'titles.notifications'
  | 'titles.overview';

/**
 * A page, sub-page or entity-content extension of Backstage whose title
 * follows the interface language: the extension made again with its title
 * parameter as the app's message `key`, so the page header, its tabs, the
 * sidebar and the entity page's tabs resolve it in the reader's language
 * (theirs is fixed English).
 */
export function translatedTitle(
  extension: any,
  key: TitleKey,
): ExtensionDefinition {
  return extension.override({ params: { title: appTranslationRef(key) } });
}

/** Backstage's scaffolder ("Create") with its page and tab titles translated. */
export const translatedScaffolderPlugin = scaffolderPlugin.withOverrides({
  extensions: (
    [
      ['page:scaffolder', 'titles.create'],
      ['sub-page:scaffolder/templates', 'titles.templates'],
      ['sub-page:scaffolder/tasks', 'titles.tasks'],
      ['sub-page:scaffolder/actions', 'titles.actions'],
      ['sub-page:scaffolder/editor', 'titles.templateEditor'],
      [
        'sub-page:scaffolder/templating-extensions',
        'titles.templatingExtensions',
      ],
    ] as const
  ).map(([id, key]) => translatedTitle(scaffolderPlugin.getExtension(id), key)),
});
