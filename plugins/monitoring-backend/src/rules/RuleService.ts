import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { coded } from '@opsdeck/plugin-opsdeck-node';
import type { RuleInput, RuleStore, StoredRule } from '../database/RuleStore';
import type { RulePublisher } from './RulePublisher';
import { renderRule, RULE_TEMPLATES, type RuleTemplateId } from './templates';
import { matcher } from './promql';

type SilenceMatcher = {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
};

/** An equality matcher, as the silence route writes them. */
const equality = (m: SilenceMatcher) => !m.isRegex && m.isEqual !== false;

/**
 * The entity a silence is for, if it has the shape opsdeck's silence route
 * writes: one `opsdeck_entity` equality on a lower-case entity ref, and at
 * most one `alertname` equality beside it.
 */
export function silenceEntityOf(
  matchers: SilenceMatcher[],
): string | undefined {
  const entity = matchers.filter(m => m.name === 'opsdeck_entity');
  const rest = matchers.filter(m => m.name !== 'opsdeck_entity');
  if (entity.length !== 1 || !equality(entity[0])) return undefined;
  if (rest.length > 1 || rest.some(m => m.name !== 'alertname' || !equality(m)))
    return undefined;
  const value = entity[0].value;
  try {
    const canonical = stringifyEntityRef(parseEntityRef(value));
    return canonical.toLocaleLowerCase('en-US') === value ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A rule as the API shows it: with the PromQL it renders to. */
export type RuleView = StoredRule & { expr?: string };

/**
 * Alert rules from templates, and silences through Alertmanager's API v2.
 * Each rule change is rendered, checked by promtool, written and reloaded
 * inside the transaction that versions it.
 */
export class RuleService {
  constructor(
    private readonly options: {
      store: RuleStore;
      publisher: RulePublisher;
      alertmanagerUrl?: string;
      now?: () => Date;
    },
  ) {}

  private now() {
    return this.options.now?.() ?? new Date();
  }

  templates() {
    return Object.values(RULE_TEMPLATES).map(t => ({
      id: t.id,
      alert: t.alert,
      defaultFor: t.defaultFor,
      ...(t.threshold !== undefined ? { threshold: t.threshold } : {}),
    }));
  }

  view(rule: StoredRule): RuleView {
    try {
      return {
        ...rule,
        expr: renderRule(rule.id, rule.template, rule.scope, rule.params).expr,
      };
    } catch {
      return rule;
    }
  }

  async list(): Promise<RuleView[]> {
    return (await this.options.store.list()).map(r => this.view(r));
  }

  private normalise(input: RuleInput): RuleInput {
    const rule = {
      name: input.name.trim(),
      template: input.template as RuleTemplateId,
      scope: input.scope ?? {},
      params: input.params ?? {},
      enabled: input.enabled ?? true,
    };
    if (!rule.name) {
      throw coded(
        new InputError('A rule needs a name'),
        'monitoring-rule-name-missing',
      );
    }
    // refuses an unknown template, an empty or unparsable scope, bad params
    renderRule(0, rule.template, rule.scope, rule.params);
    return rule;
  }

  async create(input: RuleInput, by: string): Promise<RuleView> {
    const rule = this.normalise(input);
    return this.view(
      await this.options.store.write({ input: rule }, by, this.now(), rules =>
        this.options.publisher.publish(rules),
      ),
    );
  }

  async update(id: number, input: RuleInput, by: string): Promise<RuleView> {
    const rule = this.normalise(input);
    if (!(await this.options.store.get(id))) {
      throw new NotFoundError(`No rule ${id}`);
    }
    return this.view(
      await this.options.store.write(
        { id, input: rule },
        by,
        this.now(),
        rules => this.options.publisher.publish(rules),
      ),
    );
  }

  async delete(id: number, by: string): Promise<void> {
    if (!(await this.options.store.get(id))) {
      throw new NotFoundError(`No rule ${id}`);
    }
    await this.options.store.write(
      { id, deleted: true },
      by,
      this.now(),
      rules => this.options.publisher.publish(rules),
    );
  }

  async versions(id: number) {
    const versions = await this.options.store.versions(id);
    if (!versions.length) throw new NotFoundError(`No rule ${id}`);
    return versions;
  }

  private alertmanager(): string {
    if (!this.options.alertmanagerUrl) {
      throw coded(
        new InputError('opsdeck.monitoring.alertmanager.url is not set'),
        'monitoring-alertmanager-unset',
      );
    }
    return this.options.alertmanagerUrl;
  }

  async silences(): Promise<unknown[]> {
    const res = await fetch(`${this.alertmanager()}/api/v2/silences`, {
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`Alertmanager answered HTTP ${res.status}`);
    return (await res.json()) as unknown[];
  }

  async silence(
    input: {
      entityRef: string;
      alertname?: string;
      minutes: number;
      comment: string;
    },
    by: string,
  ): Promise<string> {
    const entityRef = input.entityRef.trim().toLocaleLowerCase('en-US');
    // checked the PromQL way too, though Alertmanager takes it as a literal
    matcher('opsdeck_entity', '=', entityRef);
    const start = this.now();
    const res = await fetch(`${this.alertmanager()}/api/v2/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(10_000),
      body: JSON.stringify({
        matchers: [
          {
            name: 'opsdeck_entity',
            value: entityRef,
            isRegex: false,
            isEqual: true,
          },
          ...(input.alertname
            ? [
                {
                  name: 'alertname',
                  value: input.alertname,
                  isRegex: false,
                  isEqual: true,
                },
              ]
            : []),
        ],
        startsAt: start.toISOString(),
        endsAt: new Date(
          start.getTime() + input.minutes * 60_000,
        ).toISOString(),
        createdBy: by,
        comment: input.comment,
      }),
    });
    if (!res.ok) {
      const detail = (await res.text()).slice(0, 300);
      throw coded(
        new InputError(
          `Alertmanager refused the silence: HTTP ${res.status} ${detail}`,
        ),
        'monitoring-silence-refused',
        { detail },
      );
    }
    return ((await res.json()) as { silenceID: string }).silenceID;
  }

  /**
   * The entity of silence `id` (Alertmanager API v2 GET /silence/{id});
   * refuses a silence opsdeck did not make for one entity.
   */
  async silenceEntity(id: string): Promise<string> {
    const res = await fetch(
      `${this.alertmanager()}/api/v2/silence/${encodeURIComponent(id)}`,
      { signal: AbortSignal.timeout(10_000) },
    );
    if (res.status === 404) throw new NotFoundError(`No silence ${id}`);
    if (!res.ok) throw new Error(`Alertmanager answered HTTP ${res.status}`);
    const silence = (await res.json()) as { matchers?: SilenceMatcher[] };
    const entityRef = silenceEntityOf(silence.matchers ?? []);
    if (!entityRef) {
      throw coded(
        new NotAllowedError(
          `Silence ${id} is not an opsdeck silence of one entity`,
        ),
        'monitoring-silence-foreign',
      );
    }
    return entityRef;
  }

  /** Expires a silence; the caller has checked it with silenceEntity. */
  async expireSilence(id: string): Promise<void> {
    const res = await fetch(
      `${this.alertmanager()}/api/v2/silence/${encodeURIComponent(id)}`,
      { method: 'DELETE', signal: AbortSignal.timeout(10_000) },
    );
    if (res.status === 404) throw new NotFoundError(`No silence ${id}`);
    if (!res.ok) throw new Error(`Alertmanager answered HTTP ${res.status}`);
  }
}
