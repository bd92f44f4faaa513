import type {
  AuthService,
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { AlertEvent } from '@opsdeck/plugin-monitoring-common';
import {
  entityOwnerRef,
  ownsEntity,
  principalRef,
} from '@opsdeck/plugin-opsdeck-node';
import type { AlertStore } from '../database/AlertStore';
import type { AckRefusal } from '../database/EscalationStore';
import { alertEntityScope } from '../service/entityScope';

const REFUSALS: Record<AckRefusal, string> = {
  missing: 'does not exist',
  'not-firing': 'is not a firing alert',
  resolved: 'is resolved: it needs no acknowledgement',
  acknowledged: 'is already acknowledged',
  'not-acknowledged': 'is not acknowledged',
};

/**
 * Acknowledging a firing alert (and taking it back). Who may: a holder of
 * `opsdeck.monitoring.alert.acknowledge` (the request guard, before this)
 * who can read the alert (the scope of GET /alerts; 404 otherwise) and who
 * is a member of the owner group of its entity in the catalog, or manages
 * rules (any owner, and alerts without an entity or on a gone one).
 */
export class AckService {
  constructor(
    private readonly options: {
      store: AlertStore;
      catalog: Pick<CatalogService, 'getEntitiesByRefs' | 'getEntityByRef'>;
      auth: Pick<AuthService, 'getOwnServiceCredentials'>;
      userInfo: Pick<UserInfoService, 'getUserInfo'>;
      /** Whether the caller manages rules (opsdeck.monitoring.rule.manage). */
      isManager: (credentials: BackstageCredentials) => Promise<boolean>;
      now?: () => Date;
    },
  ) {}

  private now() {
    return this.options.now?.() ?? new Date();
  }

  /** The alert, when the caller may (un)acknowledge it; 404 / 403 otherwise. */
  private async check(
    id: number,
    credentials: BackstageCredentials,
  ): Promise<AlertEvent> {
    const { store, catalog, auth } = this.options;
    const event = await store.getEvent(id);
    if (!event) throw new NotFoundError(`No alert ${id}`);
    const manager = await this.options.isManager(credentials);
    const readable = event.entityRef
      ? (
          await alertEntityScope(
            catalog,
            [event.entityRef],
            { credentials, manager },
            () => auth.getOwnServiceCredentials(),
          )
        ).has(event.entityRef)
      : manager;
    // an alert the person may not read does not exist for them
    if (!readable) throw new NotFoundError(`No alert ${id}`);
    if (manager) return event;
    const entity = await catalog
      .getEntityByRef(event.entityRef!, { credentials })
      .catch(() => undefined);
    if (
      !entity ||
      !(await ownsEntity(this.options.userInfo, credentials, entity))
    ) {
      const ownerRef = entity && entityOwnerRef(entity);
      throw new NotAllowedError(
        `Only members of ${
          ownerRef ?? "the entity's owner group"
        } (or those who manage alert rules) may acknowledge this alert`,
      );
    }
    return event;
  }

  private refuse(id: number, refusal: AckRefusal): never {
    if (refusal === 'missing') throw new NotFoundError(`No alert ${id}`);
    throw new ConflictError(`Alert ${id} ${REFUSALS[refusal]}`);
  }

  /** Acknowledges a firing alert: its escalation and reminders stop. */
  async acknowledge(
    id: number,
    credentials: BackstageCredentials,
    comment?: string,
  ): Promise<AlertEvent> {
    await this.check(id, credentials);
    const refusal = await this.options.store.escalations.acknowledge(
      id,
      {
        by: principalRef(credentials),
        ...(comment?.trim() ? { comment: comment.trim() } : {}),
      },
      this.now(),
    );
    if (refusal) this.refuse(id, refusal);
    return (await this.options.store.getEvent(id))!;
  }

  /** Takes an acknowledgement back: escalation resumes where it was. */
  async unacknowledge(
    id: number,
    credentials: BackstageCredentials,
  ): Promise<AlertEvent> {
    await this.check(id, credentials);
    const refusal = await this.options.store.escalations.unacknowledge(id);
    if (refusal) this.refuse(id, refusal);
    return (await this.options.store.getEvent(id))!;
  }
}
