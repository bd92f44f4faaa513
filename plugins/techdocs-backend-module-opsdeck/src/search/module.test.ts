import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import searchPlugin from '@backstage/plugin-search-backend';
import techdocsCollator from '@backstage/plugin-search-backend-module-techdocs';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { searchModuleOpsdeckEngine } from './module';

jest.setTimeout(60_000);

// the techdocs document type exists (its collator is installed), but no
// docs have been collated yet
const features = [
  techdocsCollator,
  catalogServiceMock.factory({ entities: [] }),
];

const QUERY = '/api/search/query?term=disk&types%5B0%5D=techdocs';

describe('searchModuleOpsdeckEngine', () => {
  it('answers a search of a type without an index with no results (was HTTP 500)', async () => {
    const { server } = await startTestBackend({
      features: [searchPlugin, searchModuleOpsdeckEngine, ...features],
    });
    const res = await request(server)
      .get(QUERY)
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ results: [], numberOfResults: 0 });
  });

  it("is needed: Backstage's own Lunr engine answers the same query with 500", async () => {
    const { server } = await startTestBackend({
      features: [searchPlugin, ...features],
    });
    const res = await request(server)
      .get(QUERY)
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(500);
    expect(res.body.error.name).toBe('MissingIndexError');
  });
});
