import {
  coreExtensionData,
  ExtensionDefinition,
} from '@backstage/frontend-plugin-api';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import { appTranslationRef } from '../translation/appTranslation';

type TitleKey =
  | 'titles.create'
  | 'titles.templates'
  | 'titles.tasks'
  | 'titles.actions'
  | 'titles.templateEditor'
  | 'titles.templatingExtensions';

const english = (appTranslationRef as any).getDefaultMessages() as Record<
  string,
  string
>;

/**
 * A page or sub-page extension whose title follows the interface language:
 * its outputs with the title replaced by `key` of the app's translations
 * (the page header and tabs resolve `titleTranslation` as the language
 * changes). For Backstage pages that give their titles as fixed English.
 */
function translatedTitle(extension: any, key: TitleKey): ExtensionDefinition {
  return extension.override({
    factory(originalFactory: () => Iterable<{ id: string }>) {
      const outputs = [...originalFactory()].filter(
        d =>
          d.id !== coreExtensionData.title.id &&
          d.id !== coreExtensionData.titleTranslation.id,
      );
      return [
        ...outputs,
        coreExtensionData.title(english[key]),
        coreExtensionData.titleTranslation(appTranslationRef(key)),
      ];
    },
  });
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
