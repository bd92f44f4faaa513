import {
  ApiBlueprint,
  createFrontendModule,
  discoveryApiRef,
  fetchApiRef,
  identityApiRef,
} from '@backstage/frontend-plugin-api';
import { CatalogClient } from '@backstage/catalog-client';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { scaffolderApiRef } from '@backstage/plugin-scaffolder-react';
import { ScaffolderClient } from '@backstage/plugin-scaffolder-common';
import { scmIntegrationsApiRef } from '@backstage/integration-react';
import { getDisplayLanguage } from '@opsdeck/plugin-opsdeck-common';
import { localizeCatalogAnswer, localizeParameterSchema } from './localize';

/** Catalog answers with Template entities in the display language. */
function localizedCatalog(client: CatalogClient): CatalogClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        localizeCatalogAnswer(value.apply(target, args), getDisplayLanguage);
    },
  });
}

/**
 * opsdeck's templates in the reader's language (see ./localize): the catalog
 * API (template list) and the scaffolder API (wizard) of Backstage, each the
 * stock client with its answers localized.
 */
export const templatesLanguageModules = [
  createFrontendModule({
    pluginId: 'catalog',
    extensions: [
      ApiBlueprint.make({
        params: defineParams =>
          defineParams({
            api: catalogApiRef,
            deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
            factory: ({ discoveryApi, fetchApi }) =>
              localizedCatalog(new CatalogClient({ discoveryApi, fetchApi })),
          }),
      }),
    ],
  }),
  createFrontendModule({
    pluginId: 'scaffolder',
    extensions: [
      ApiBlueprint.make({
        params: defineParams =>
          defineParams({
            api: scaffolderApiRef,
            deps: {
              discoveryApi: discoveryApiRef,
              scmIntegrationsApi: scmIntegrationsApiRef,
              fetchApi: fetchApiRef,
              identityApi: identityApiRef,
              catalogApi: catalogApiRef,
            },
            factory: ({ catalogApi, ...deps }) => {
              const client = new ScaffolderClient(deps);
              const original = client.getTemplateParameterSchema.bind(client);
              client.getTemplateParameterSchema = async (ref, options) => {
                const language = getDisplayLanguage();
                const schema = await original(ref, options);
                if (!language || language === 'en') return schema;
                const template = await catalogApi
                  .getEntityByRef(ref)
                  .catch(() => undefined);
                return localizeParameterSchema(schema, language, template);
              };
              return client;
            },
          }),
      }),
    ],
  }),
];
