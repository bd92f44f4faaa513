/**
 * The runtime of opsdeck's generated OpenAPI clients: import from
 * `@opsdeck/plugin-opsdeck-common/client` (a frontend's
 * src/schema/openapi.client.generated.ts does).
 *
 * @packageDocumentation
 */
export { OpenApiClient, openApiPath } from './OpenApiClient';
export type {
  OpenApiAnswer,
  OpenApiClientOptions,
  OpenApiRequest,
} from './OpenApiClient';
