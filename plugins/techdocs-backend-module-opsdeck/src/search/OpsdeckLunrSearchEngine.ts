import { LunrSearchEngine } from '@backstage/plugin-search-backend-node';
import { SearchQuery } from '@backstage/plugin-search-common';

/**
 * Backstage's in-memory Lunr engine (used when the database is SQLite), with
 * one change: a query for a document type that has no index yet (no TechDocs
 * site has been built and collated, say) returns no results instead of
 * throwing `MissingIndexError`, which the search router answers with HTTP
 * 500. The PostgreSQL engine already answers such a query with no results.
 */
export class OpsdeckLunrSearchEngine extends LunrSearchEngine {
  async query(query: SearchQuery) {
    try {
      return await super.query(query);
    } catch (error) {
      if ((error as Error)?.name === 'MissingIndexError') {
        return { results: [], numberOfResults: 0 };
      }
      throw error;
    }
  }
}
