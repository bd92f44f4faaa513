import type { Deployment, DeploymentStatus } from '@opsdeck/plugin-cicd-common';
import type { Knex } from './migrations';

interface Row {
  entity_ref: string;
  system: string;
  environment: string;
  version: string | null;
  digest: string | null;
  commit: string | null;
  status: string;
  url: string | null;
  timestamp: number | string;
}

/** Deployments posted to the signed deploy webhook (`cicd_deployments`). */
export class DeploymentStore {
  constructor(private readonly knex: Knex) {}

  /**
   * Stores a deployment; false when this delivery id was stored before
   * (one insert that does nothing then, on any replica).
   */
  async add(
    deployment: Deployment,
    deliveryId: string,
    now = Date.now(),
  ): Promise<boolean> {
    const rows = await this.knex('cicd_deployments')
      .insert({
        entity_ref: deployment.entityRef,
        system: deployment.system,
        environment: deployment.environment,
        version: deployment.version ?? null,
        digest: deployment.digest ?? null,
        commit: deployment.commit ?? null,
        status: deployment.status,
        url: deployment.url || null,
        timestamp: deployment.timestamp,
        delivery_id: deliveryId,
        received_at: now,
      })
      .onConflict('delivery_id')
      .ignore()
      .returning('id');
    return rows.length > 0;
  }

  /** The entity's newest `count` deployments, newest first. */
  async list(entityRef: string, count: number): Promise<Deployment[]> {
    const rows: Row[] = await this.knex('cicd_deployments')
      .where({ entity_ref: entityRef })
      .orderBy([
        { column: 'timestamp', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(count);
    return rows.map(r => ({
      entityRef: r.entity_ref,
      system: r.system,
      environment: r.environment,
      ...(r.version ? { version: r.version } : {}),
      ...(r.digest ? { digest: r.digest } : {}),
      ...(r.commit ? { commit: r.commit } : {}),
      status: r.status as DeploymentStatus,
      url: r.url ?? '',
      timestamp: Number(r.timestamp),
    }));
  }
}
