import { Entity } from '@backstage/catalog-model';
import {
  PreparerBase,
  PreparerOptions,
  PreparerResponse,
} from '@backstage/plugin-techdocs-node';
import { BuildTracker } from './BuildTracker';

/** A stock preparer that also tells the generator which entity it prepared. */
export class TrackingPreparer implements PreparerBase {
  constructor(
    private readonly inner: PreparerBase,
    private readonly tracker: BuildTracker,
  ) {}

  shouldCleanPreparedDirectory(): boolean {
    return this.inner.shouldCleanPreparedDirectory();
  }

  async prepare(
    entity: Entity,
    options?: PreparerOptions,
  ): Promise<PreparerResponse> {
    const response = await this.inner.prepare(entity, options);
    this.tracker.prepared(response.preparedDir, entity, options?.etag);
    return response;
  }
}
