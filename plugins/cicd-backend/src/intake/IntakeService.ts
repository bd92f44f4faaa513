import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { CI_INTAKE_ANNOTATION } from '@opsdeck/plugin-cicd-common';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { AlertEngine } from '../alerts/AlertEngine';
import { alertKeyOf, alertTargetOf } from '../alerts/target';
import type { CicdConfig } from '../config';
import type { DeploymentStore } from '../database/DeploymentStore';
import type { GateSlot, IntakeGate } from '../database/IntakeGate';
import { IntakeStore, intakeJobRef } from '../database/IntakeStore';
import type { CicdService } from '../service/CicdService';
import type { IntakeBody } from './body';
import type { DeploymentBody } from './deployBody';

/** What the intake answers for an accepted build. */
export interface IntakeResult {
  job: string;
  number: number;
  /** False when this build was posted before (the first post is kept). */
  stored: boolean;
  /** The top located cause of a failed build. */
  cause?: {
    id: string;
    title: string;
    category: string;
    line?: number;
  };
}

/**
 * Builds other CI systems post: the secret comes out of the vault at each
 * use, a delivery id is accepted once, and an accepted build is stored,
 * located like a Jenkins build and alerts like one.
 */
export class IntakeService {
  constructor(
    private readonly options: {
      config: CicdConfig['intake'];
      store: IntakeStore;
      deployments: DeploymentStore;
      /** Signature failures per source (client address, claimed system). */
      gate: IntakeGate;
      /**
       * The HMAC secret of one CI system (the vault, use `ci-intake`,
       * target `cicd-intake:<system>`), at each request.
       */
      secret: (system: string) => Promise<string>;
      catalog: CatalogService;
      auth: AuthService;
      service: CicdService;
      engine: AlertEngine;
      logger: LoggerService;
      appBaseUrl?: string;
    },
  ) {}

  get config() {
    return this.options.config;
  }

  /** The signing secret of a configured CI system, out of the vault. */
  secret(system: string): Promise<string> {
    return this.options.secret(system);
  }

  /** A slot in the failure gate (one atomic statement). */
  takeSlot(sources: string[], now = Date.now()): Promise<GateSlot> {
    return this.options.gate.take(sources, now);
  }

  /** The signature matched: not a failure; old windows are forgotten. */
  async giveBack(slot: GateSlot): Promise<void> {
    await this.options.gate.giveBack(slot);
    await this.options.gate.prune(slot.windowStart);
  }

  /** The replay gate (one insert); old ids are forgotten on the way. */
  async claimDelivery(id: string, now = Date.now()): Promise<boolean> {
    const claimed = await this.options.store.claimDelivery(id, now);
    if (claimed) {
      await this.options.store.pruneDeliveries(
        now - 2 * this.options.config.toleranceSeconds * 1000,
      );
    }
    return claimed;
  }

  /**
   * The entity a CI/CD system posts for: in the catalog (read as the
   * plugin) and naming the posting system in its `opsdeck.io/ci-intake`
   * annotation (400 otherwise), so one team's pipeline cannot post for
   * another team's component.
   */
  private async postingEntity(entityRef: string, system: string) {
    const { catalog, auth } = this.options;
    const entity = await catalog.getEntityByRef(entityRef, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    if (!entity) {
      throw new InputError(`No entity ${entityRef} in the catalog`);
    }
    // each CI system signs with its own secret (the router checked the
    // body names the signer); the entity names the systems that may post
    // for it
    if (!intakeSystemsOf(entity.metadata.annotations).includes(system)) {
      throw new InputError(
        `${entityRef} does not take posts from ${system} (annotation ${CI_INTAKE_ANNOTATION})`,
      );
    }
    return entity;
  }

  /**
   * Stores a deployment the deploy webhook took (the entity must name the
   * posting system like for builds); false when this delivery was stored
   * before.
   */
  async acceptDeployment(
    body: DeploymentBody,
    delivery: string,
    now = Date.now(),
  ): Promise<{ stored: boolean }> {
    await this.postingEntity(body.entityRef, body.system);
    const stored = await this.options.deployments.add(
      { ...body, timestamp: body.timestamp ?? now },
      delivery,
      now,
    );
    return { stored };
  }

  async accept(
    body: IntakeBody & { logTruncated: boolean },
    delivery: string,
    now = Date.now(),
  ): Promise<IntakeResult> {
    const { store, service, engine } = this.options;
    const entity = await this.postingEntity(body.entityRef, body.system);
    const build = {
      entityRef: body.entityRef,
      system: body.system,
      job: body.job,
      number: body.number,
      result: body.result,
      branch: body.branch,
      url: body.url,
      commit: body.commit,
      timestamp: body.timestamp ?? now,
      durationMillis: body.durationMillis ?? 0,
      log: body.log,
      logTruncated: body.logTruncated,
      artifacts: body.artifacts,
    };
    const stored = await store.add(build, delivery, now);
    const job = intakeJobRef(body.system, body.job);
    const failed = body.result === 'FAILURE' || body.result === 'UNSTABLE';
    const top = failed
      ? await service.locateText(body.log, {
          firstLine: 1,
          truncated: body.logTruncated,
        })
      : undefined;
    if (stored) {
      await engine.observe(
        alertTargetOf(entity, this.options.appBaseUrl),
        alertKeyOf(body.entityRef, job),
        `${body.system} ${body.job}`,
        [
          {
            number: body.number,
            result: body.result,
            branch: body.branch,
            url: body.url,
            commit: body.commit,
          },
        ],
        { firstNotice: 'alert', locate: async () => top },
      );
    }
    return {
      job,
      number: body.number,
      stored,
      ...(top
        ? {
            cause: {
              id: top.cause.id,
              title: top.cause.title.en,
              category: top.cause.category,
              ...(top.line ? { line: top.line.number } : {}),
            },
          }
        : {}),
    };
  }
}

/** The CI systems an entity takes builds from: `opsdeck.io/ci-intake: gitlab, drone`. */
export function intakeSystemsOf(
  annotations: Record<string, string> | undefined,
): string[] {
  return (annotations?.[CI_INTAKE_ANNOTATION] ?? '')
    .split(/[\s,]+/)
    .map(s => s.trim().toLowerCase())
    .filter(Boolean);
}
