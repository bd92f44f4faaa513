import { useCallback } from 'react';
import { WarningPanel } from '@backstage/core-components';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  CatalogFilterLayout,
  EntityListProvider,
  EntityOwnerPicker,
  EntityTagPicker,
  UserListFilterKind,
  UserListPicker,
  useEntityList,
  useStarredEntities,
} from '@backstage/plugin-catalog-react';
import { DocsTable, TechDocsPicker } from '@backstage/plugin-techdocs';
import { techdocsTranslationRef } from '@backstage/plugin-techdocs/alpha';
import { Container } from '@backstage/ui';
import { useUserListLabel } from '../lists/useListTitle';

/**
 * Backstage's documentation table with its title in the user's language:
 * Backstage titles it with the filter's value capitalised ("Owned (2)").
 */
function TranslatedDocsTable() {
  const { loading, error, entities } = useEntityList();
  const { isStarredEntity, toggleStarredEntity } = useStarredEntities();
  const { t } = useTranslationRef(techdocsTranslationRef);
  const title = useUserListLabel();
  const copy = useCallback(
    (text: string) => window.navigator.clipboard?.writeText(text),
    [],
  );
  if (error) {
    return (
      <WarningPanel severity="error" title={t('error.couldNotLoad')}>
        {error.message}
      </WarningPanel>
    );
  }
  return (
    <DocsTable
      title={title}
      entities={entities}
      loading={loading}
      actions={[
        DocsTable.actions.createCopyDocsUrlAction(copy, t),
        DocsTable.actions.createStarEntityAction(
          isStarredEntity,
          toggleStarredEntity,
          t,
        ),
      ]}
    />
  );
}

/**
 * Backstage's documentation index page (the TechDocs alpha page's content:
 * pickers and the documents table) with the table titled in the user's
 * language.
 */
export function OpsdeckDocsIndexPage(props: {
  initialFilter: UserListFilterKind;
}) {
  return (
    <Container mt="6">
      <EntityListProvider>
        <CatalogFilterLayout>
          <CatalogFilterLayout.Filters>
            <TechDocsPicker />
            <UserListPicker initialFilter={props.initialFilter} />
            <EntityOwnerPicker />
            <EntityTagPicker />
          </CatalogFilterLayout.Filters>
          <CatalogFilterLayout.Content>
            <TranslatedDocsTable />
          </CatalogFilterLayout.Content>
        </CatalogFilterLayout>
      </EntityListProvider>
    </Container>
  );
}
