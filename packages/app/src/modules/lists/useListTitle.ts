import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { catalogReactTranslationRef } from '@backstage/plugin-catalog-react/alpha';
import { useEntityList } from '@backstage/plugin-catalog-react';
import { appTranslationRef } from '../../translation/appTranslation';

const KINDS = [
  'component',
  'api',
  'resource',
  'system',
  'domain',
  'group',
  'user',
  'template',
  'location',
] as const;

/**
 * The name of the list the user picked in the catalog's personal filter
 * ("Owned", "Starred", "All"), in the user's language: Backstage's catalog
 * and docs tables title themselves with the filter's value capitalised, in
 * English whatever the language.
 */
export function useUserListLabel(): string {
  const { filters } = useEntityList();
  const { t } = useTranslationRef(catalogReactTranslationRef);
  switch (filters.user?.value) {
    case 'owned':
      return t('userListPicker.personalFilter.ownedLabel');
    case 'starred':
      return t('userListPicker.personalFilter.starredLabel');
    default:
      return t('userListPicker.orgFilterAllLabel');
  }
}

/**
 * The catalog table's title ("Owned Components (2)" in English, "我负责的组件 (2)"
 * in Chinese): Backstage builds it from the filter's value and the kind
 * pluralised in English.
 */
export function useCatalogListTitle(): string {
  const { filters, entities, totalItems, loading, totalItemsLoading } =
    useEntityList();
  const { t } = useTranslationRef(appTranslationRef);
  const filter = useUserListLabel();
  const kindValue = (
    filters.kind?.value ??
    entities[0]?.kind ??
    ''
  ).toLowerCase();
  const known = KINDS.find(k => k === kindValue);
  let kinds = '';
  if (known) kinds = t(`lists.kinds.${known}`);
  else if (filters.kind?.label) kinds = `${filters.kind.label}s`;
  const type = [filters.type?.value ?? []].flat().join(', ');
  const title = type
    ? t('lists.titleWithType', { filter, type, kinds })
    : t('lists.title', { filter, kinds });
  const count =
    typeof totalItems === 'number' && !(!loading && totalItemsLoading)
      ? ` (${totalItems})`
      : '';
  return `${title.trim()}${count}`;
}
