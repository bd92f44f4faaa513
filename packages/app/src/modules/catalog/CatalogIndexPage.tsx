import { ReactNode } from 'react';
import { SupportButton } from '@backstage/core-components';
import { configApiRef, useApi, useRouteRef } from '@backstage/core-plugin-api';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  CatalogFilterLayout,
  EntityListPagination,
  EntityListProvider,
} from '@backstage/plugin-catalog-react';
import { CatalogTable } from '@backstage/plugin-catalog';
import catalogPlugin, {
  catalogTranslationRef,
} from '@backstage/plugin-catalog/alpha';
import { catalogEntityCreatePermission } from '@backstage/plugin-catalog-common/alpha';
import { usePermission } from '@backstage/plugin-permission-react';
import { ButtonLink, Container, Header } from '@backstage/ui';
import { useCatalogListTitle } from '../lists/useListTitle';

/** Backstage's catalog table titled in the user's language. */
function TranslatedCatalogTable() {
  return <CatalogTable title={useCatalogListTitle()} />;
}

/**
 * Backstage's catalog index page (header with create and support buttons,
 * the filters, the table) with the table's title in the user's language:
 * Backstage writes it as the filter's value and the kind pluralised in
 * English ("Owned Components (2)"). Filters are the page's extension inputs.
 */
export function OpsdeckCatalogIndexPage(props: {
  filters: ReactNode[];
  pagination?: EntityListPagination;
}) {
  const orgName =
    useApi(configApiRef).getOptionalString('organization.name') ?? 'Backstage';
  const createComponentLink = useRouteRef(
    catalogPlugin.externalRoutes.createComponent as any,
  ) as (() => string) | undefined;
  const createHref = createComponentLink?.();
  const { t } = useTranslationRef(catalogTranslationRef);
  const { allowed } = usePermission({
    permission: catalogEntityCreatePermission,
  });
  return (
    <EntityListProvider pagination={props.pagination}>
      <Header
        title={t('indexPage.title', { orgName })}
        customActions={
          <>
            {allowed && createHref && (
              <ButtonLink variant="primary" href={createHref}>
                {t('indexPage.createButtonTitle')}
              </ButtonLink>
            )}
            <SupportButton>{t('indexPage.supportButtonContent')}</SupportButton>
          </>
        }
      />
      <Container>
        <CatalogFilterLayout>
          <CatalogFilterLayout.Filters>
            {props.filters}
          </CatalogFilterLayout.Filters>
          <CatalogFilterLayout.Content>
            <TranslatedCatalogTable />
          </CatalogFilterLayout.Content>
        </CatalogFilterLayout>
      </Container>
    </EntityListProvider>
  );
}
