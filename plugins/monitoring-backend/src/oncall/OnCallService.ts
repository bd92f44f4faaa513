import type {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  onCallAt,
  onCallSchedule,
  overrideProblem,
  rotationProblem,
  type GroupOnCall,
  type OnCallProblem,
  type OnCallRotation,
  type RotationInput,
  type RotationOverride,
  type RotationOverrideInput,
  type RotationView,
} from '@opsdeck/plugin-monitoring-common';
import {
  coded,
  isUniqueViolation,
  principalRef,
} from '@opsdeck/plugin-opsdeck-node';
import type { OnCallStore } from '../database/OnCallStore';

/** How many handoffs a rotation's schedule shows ahead. */
const SCHEDULE_HANDOFFS = 5;

const lower = (ref: string) => ref.toLocaleLowerCase('en-US');

/** A full lower-case ref of `kind`, or the ref as given when it is none. */
function normalRef(ref: unknown, kind: 'group' | 'user'): string {
  if (typeof ref !== 'string') return String(ref);
  try {
    const parsed = parseEntityRef(ref);
    return parsed.kind.toLocaleLowerCase('en-US') === kind
      ? lower(stringifyEntityRef(parsed))
      : ref;
  } catch {
    return ref;
  }
}

function refuse(p: OnCallProblem): never {
  throw coded(new InputError(p.message), p.code, { field: p.field });
}

/**
 * On-call rotations of catalog groups. Reading: rotations of the groups the
 * catalog shows the person. Managing (the guard has checked
 * opsdeck.monitoring.rule.manage, as for rules and probes): the group must be
 * one the catalog shows the person (404 otherwise), every member and an
 * override's person a member of that group in the catalog (400
 * monitoring-rotation-member-foreign).
 */
export class OnCallService {
  constructor(
    private readonly options: {
      store: OnCallStore;
      catalog: Pick<
        CatalogService,
        'getEntityByRef' | 'getEntities' | 'getEntitiesByRefs'
      >;
      auth: Pick<AuthService, 'getOwnServiceCredentials'>;
      now?: () => Date;
    },
  ) {}

  private clock() {
    return this.options.now?.() ?? new Date();
  }

  /** The group, when the catalog shows it to the person; 404 otherwise. */
  private async readableGroup(
    group: string,
    credentials: BackstageCredentials,
  ): Promise<void> {
    const entity = await this.options.catalog
      .getEntityByRef(group, { credentials })
      .catch(() => undefined);
    if (!entity || lower(entity.kind) !== 'group') {
      throw new NotFoundError(`No group ${group}`);
    }
  }

  /** The catalog users who are members of `group` (read with the plugin's credentials). */
  private async groupMembers(group: string): Promise<Set<string>> {
    const { items } = await this.options.catalog.getEntities(
      {
        filter: { kind: 'User', 'relations.memberOf': group },
        fields: ['kind', 'metadata.name', 'metadata.namespace'],
      },
      { credentials: await this.options.auth.getOwnServiceCredentials() },
    );
    return new Set(items.map(e => lower(stringifyEntityRef(e))));
  }

  private async checkMembers(group: string, users: string[]) {
    const members = await this.groupMembers(group);
    for (const user of users) {
      if (!members.has(user)) {
        throw coded(
          new InputError(`${user} is not a member of ${group} in the catalog`),
          'monitoring-rotation-member-foreign',
          { member: user, group },
        );
      }
    }
  }

  /** The input checked and normalized (lower-case full refs). */
  private async checked(
    raw: RotationInput,
    credentials: BackstageCredentials,
  ): Promise<RotationInput> {
    const input: RotationInput = {
      ...raw,
      name: typeof raw.name === 'string' ? raw.name.trim() : raw.name,
      group: normalRef(raw.group, 'group'),
      members: Array.isArray(raw.members)
        ? raw.members.map(m => normalRef(m, 'user'))
        : raw.members,
    };
    const p = rotationProblem(input);
    if (p) refuse(p);
    await this.readableGroup(input.group, credentials);
    await this.checkMembers(input.group, input.members);
    return input;
  }

  /** A rotation whose group the catalog shows the person; 404 otherwise. */
  private async readable(
    id: number,
    credentials: BackstageCredentials,
  ): Promise<OnCallRotation> {
    const rotation = await this.options.store.get(id);
    if (!rotation) throw new NotFoundError(`No rotation ${id}`);
    await this.readableGroup(rotation.group, credentials).catch(() => {
      throw new NotFoundError(`No rotation ${id}`);
    });
    return rotation;
  }

  private nameTaken(e: unknown, input: RotationInput): never {
    if (isUniqueViolation(e)) {
      throw coded(
        new ConflictError(
          `${input.group} already has a rotation named ${input.name}`,
        ),
        'monitoring-rotation-name-taken',
        { rotation: input.name },
      );
    }
    throw e;
  }

  /** Rotations (of one group, or all) the person may read, with who is on call now and the next handoffs. */
  async list(
    credentials: BackstageCredentials,
    group?: string,
  ): Promise<RotationView[]> {
    const rotations = await this.options.store.list(
      group ? { group: normalRef(group, 'group') } : {},
    );
    const groups = [...new Set(rotations.map(r => r.group))];
    const { items } = groups.length
      ? await this.options.catalog.getEntitiesByRefs(
          { entityRefs: groups, fields: ['kind', 'metadata'] },
          { credentials },
        )
      : { items: [] };
    const shown = new Set(groups.filter((_, i) => items[i]));
    const visible = rotations.filter(r => shown.has(r.group));
    const now = this.clock();
    const overrides = await this.options.store.overrides(
      visible.map(r => r.id),
      now,
    );
    return visible.map(rotation => {
      const own = overrides.filter(o => o.rotationId === rotation.id);
      const user = onCallAt(rotation, own, now);
      return {
        rotation,
        overrides: own,
        ...(user ? { onCall: user } : {}),
        at: now.toISOString(),
        schedule: onCallSchedule(rotation, own, now, SCHEDULE_HANDOFFS),
      };
    });
  }

  /** Who is on call now for a group the catalog shows the person (404 otherwise). */
  async now(
    group: string,
    credentials: BackstageCredentials,
  ): Promise<GroupOnCall> {
    const ref = normalRef(group, 'group');
    await this.readableGroup(ref, credentials);
    const now = this.clock();
    const rotations = await this.options.store.list({ group: ref });
    const overrides = await this.options.store.overrides(
      rotations.map(r => r.id),
      now,
    );
    return {
      group: ref,
      at: now.toISOString(),
      rotations: rotations.map(r => {
        const user = onCallAt(
          r,
          overrides.filter(o => o.rotationId === r.id),
          now,
        );
        return { rotationId: r.id, name: r.name, ...(user ? { user } : {}) };
      }),
    };
  }

  /**
   * The people on call for an alert owner group at `at`, one per rotation,
   * each once (the alert router pages them). No person's scope: the router
   * acts for the plugin.
   */
  async onCallFor(group: string, at: Date): Promise<string[]> {
    const rotations = await this.options.store.list({ group: lower(group) });
    if (rotations.length === 0) return [];
    const overrides = await this.options.store.overrides(
      rotations.map(r => r.id),
      at,
    );
    const users = rotations
      .map(r =>
        onCallAt(
          r,
          overrides.filter(o => o.rotationId === r.id),
          at,
        ),
      )
      .filter((u): u is string => !!u);
    return [...new Set(users)];
  }

  async create(
    raw: RotationInput,
    credentials: BackstageCredentials,
  ): Promise<OnCallRotation> {
    const input = await this.checked(raw, credentials);
    return this.options.store
      .create(input, principalRef(credentials), this.clock())
      .catch(e => this.nameTaken(e, input));
  }

  async update(
    id: number,
    raw: RotationInput,
    credentials: BackstageCredentials,
  ): Promise<{ before: OnCallRotation; after: OnCallRotation }> {
    const before = await this.readable(id, credentials);
    const input = await this.checked(raw, credentials);
    const after = await this.options.store
      .update(id, input, principalRef(credentials), this.clock())
      .catch(e => this.nameTaken(e, input));
    if (!after) throw new NotFoundError(`No rotation ${id}`);
    return { before, after };
  }

  async delete(
    id: number,
    credentials: BackstageCredentials,
  ): Promise<OnCallRotation> {
    const before = await this.readable(id, credentials);
    if (!(await this.options.store.delete(id))) {
      throw new NotFoundError(`No rotation ${id}`);
    }
    return before;
  }

  /** An override: its person a member of the group, overlapping no other override of the rotation. */
  async addOverride(
    rotationId: number,
    raw: RotationOverrideInput,
    credentials: BackstageCredentials,
  ): Promise<RotationOverride> {
    const rotation = await this.readable(rotationId, credentials);
    const input = { ...raw, user: normalRef(raw.user, 'user') };
    const now = this.clock();
    const p = overrideProblem(input, now);
    if (p) refuse(p);
    await this.checkMembers(rotation.group, [input.user]);
    const result = await this.options.store.addOverride(
      rotationId,
      input,
      principalRef(credentials),
      now,
    );
    if (result === 'missing') {
      throw new NotFoundError(`No rotation ${rotationId}`);
    }
    if (result === 'overlap') {
      throw coded(
        new InputError(
          'The override overlaps another override of the rotation; delete or shorten that one first',
        ),
        'monitoring-override-overlap',
        { field: 'start' },
      );
    }
    return result;
  }

  async deleteOverride(
    rotationId: number,
    id: number,
    credentials: BackstageCredentials,
  ): Promise<RotationOverride> {
    await this.readable(rotationId, credentials);
    const before = await this.options.store.getOverride(rotationId, id);
    if (!before || !(await this.options.store.deleteOverride(rotationId, id))) {
      throw new NotFoundError(`No override ${id} of rotation ${rotationId}`);
    }
    return before;
  }
}
