import {
  AuditorEvent,
  DefaultAuditorService,
} from '@backstage/backend-defaults/auditor';
import {
  AuditorService,
  AuditorServiceCreateEventOptions,
  AuditorServiceEvent,
  AuditorServiceEventSeverityLevel,
  AuthService,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  HttpAuthService,
  LoggerService,
  PluginMetadataService,
  RootConfigService,
  RootLifecycleService,
  RootLoggerService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  markDenialAudited,
  ON_BEHALF_OF_HEADER,
} from '@opsdeck/plugin-opsdeck-node';
import { v4 as uuid } from 'uuid';
import {
  AuditStore,
  AuditStoreService,
  auditStoreServiceRef,
  NewAuditEvent,
} from '@opsdeck/plugin-audit-node';
import { attributeEvent } from './attribution';
import { deriveTarget, outcomeOf, sanitizeMeta } from './eventDetails';

/** Auditor severities, from least to most severe. */
export const SEVERITY_LEVELS: AuditorServiceEventSeverityLevel[] = [
  'low',
  'medium',
  'high',
  'critical',
];

/**
 * Persist events of at least this severity unless configured otherwise.
 * Stock plugins report reads (catalog entity-fetch, scaffolder task list...)
 * as `low` and every mutation as `medium` or above.
 */
export const DEFAULT_MIN_SEVERITY: AuditorServiceEventSeverityLevel = 'medium';

/** Writes beyond this many in flight are dropped (and logged). */
const MAX_PENDING_WRITES = 5000;

type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Reads `opsdeck.audit.minSeverity`. */
export function readMinSeverity(
  config: RootConfigService,
): AuditorServiceEventSeverityLevel {
  const value =
    config.getOptionalString('opsdeck.audit.minSeverity') ??
    DEFAULT_MIN_SEVERITY;
  if (!SEVERITY_LEVELS.includes(value as AuditorServiceEventSeverityLevel)) {
    throw new InputError(
      `Invalid opsdeck.audit.minSeverity '${value}', expected one of ${SEVERITY_LEVELS.join(
        ', ',
      )}`,
    );
  }
  return value as AuditorServiceEventSeverityLevel;
}

// Same config and defaults as @backstage/backend-defaults' auditor
// (backend.auditor.severityLogLevelMappings), which does not export its reader.
function readSeverityLogLevels(
  config: RootConfigService,
): Record<AuditorServiceEventSeverityLevel, LogLevel> {
  const defaults: Record<AuditorServiceEventSeverityLevel, LogLevel> = {
    low: 'debug',
    medium: 'info',
    high: 'info',
    critical: 'info',
  };
  const levels: LogLevel[] = ['debug', 'info', 'warn', 'error'];
  const result = { ...defaults };
  for (const severity of SEVERITY_LEVELS) {
    const key = `backend.auditor.severityLogLevelMappings.${severity}`;
    const value = config.getOptionalString(key);
    if (value === undefined) continue;
    if (!levels.includes(value as LogLevel)) {
      throw new InputError(
        `The configuration value for '${key}' was given an invalid value: '${value}'. Expected one of the following valid values: '${levels.join(
          ', ',
        )}'.`,
      );
    }
    result[severity] = value as LogLevel;
  }
  return result;
}

/**
 * Writes completed audit events to the audit database in the background.
 * One per backend (the auditor's root context).
 */
export class AuditEventWriter {
  private readonly pending = new Set<Promise<void>>();
  private dropped = 0;

  /**
   * Writes to the backend's one audit store (opened in the background by
   * auditStoreServiceRef, which the audit plugin reads through too).
   */
  static create(deps: {
    config: RootConfigService;
    rootLogger: RootLoggerService;
    rootLifecycle: RootLifecycleService;
    auditStore: AuditStoreService;
  }): AuditEventWriter {
    const { config, rootLogger, rootLifecycle, auditStore } = deps;
    const minSeverity = readMinSeverity(config);
    const logger = rootLogger.child({ plugin: 'audit', service: 'auditor' });
    const writer = new AuditEventWriter(
      auditStore.store(),
      logger,
      minSeverity,
    );
    rootLifecycle.addBeforeShutdownHook(() => writer.flush());
    return writer;
  }

  constructor(
    private readonly store: Promise<AuditStore>,
    private readonly logger: LoggerService,
    readonly minSeverity: AuditorServiceEventSeverityLevel,
  ) {}

  /** True when events of this severity are persisted. */
  accepts(severity: AuditorServiceEventSeverityLevel): boolean {
    return (
      SEVERITY_LEVELS.indexOf(severity) >=
      SEVERITY_LEVELS.indexOf(this.minSeverity)
    );
  }

  /** Queues the event for writing; never throws, never waits. */
  write(event: NewAuditEvent): void {
    if (this.pending.size >= MAX_PENDING_WRITES) {
      this.dropped += 1;
      if (this.dropped === 1 || this.dropped % 1000 === 0) {
        this.logger.error(
          `Audit database is not keeping up; dropped ${this.dropped} audit event(s)`,
        );
      }
      return;
    }
    const write: Promise<void> = this.store
      .then(store => store.insert(event))
      .then(
        () => undefined,
        error => {
          this.logger.error(
            `Failed to persist audit event ${event.plugin}.${event.action}`,
            error,
          );
        },
      )
      .finally(() => {
        this.pending.delete(write);
      });
    this.pending.add(write);
  }

  /** Resolves when every queued write has finished (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) {
      await Promise.all([...this.pending]);
    }
  }
}

const requestIds = new WeakMap<object, string>();

function requestIdOf(
  request: AuditorServiceCreateEventOptions['request'],
): string | undefined {
  if (!request) return undefined;
  const header = request.headers?.['x-request-id'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  if (fromHeader) return fromHeader.slice(0, 255);
  let id = requestIds.get(request);
  if (!id) {
    id = uuid();
    requestIds.set(request, id);
  }
  return id;
}

function headerOf(
  request: AuditorServiceCreateEventOptions['request'],
  name: string,
): string | undefined {
  const value = request?.headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * The auditor every plugin gets: logs events exactly like the default auditor
 * of @backstage/backend-defaults and also persists completed events
 * (`success()` / `fail()`) of at least `opsdeck.audit.minSeverity`.
 */
export class OpsdeckAuditorService implements AuditorService {
  constructor(
    private readonly deps: {
      logger: LoggerService;
      auth: AuthService;
      httpAuth: HttpAuthService;
      plugin: PluginMetadataService;
      writer: AuditEventWriter;
      severityLogLevels: Record<AuditorServiceEventSeverityLevel, LogLevel>;
    },
  ) {}

  async createEvent(
    options: AuditorServiceCreateEventOptions,
  ): Promise<AuditorServiceEvent> {
    const { logger, auth, httpAuth, plugin, writer, severityLogLevels } =
      this.deps;
    const requestId = requestIdOf(options.request);
    const auditLogger = logger.child({ isAuditEvent: true });
    // Who asked: the request's credentials, else the plugin's own (an event
    // without a request: a schedule, a WebSocket message, a cleanup job).
    const credentials: Promise<BackstageCredentials | undefined> = (
      options.request
        ? httpAuth.credentials(options.request)
        : auth.getOwnServiceCredentials()
    ).catch(() => undefined);
    const onBehalfOf = headerOf(options.request, ON_BEHALF_OF_HEADER);
    // A DefaultAuditorService per event, so that its log callback knows the
    // request id; it resolves the actor and assembles the event as usual.
    const inner = DefaultAuditorService.create(
      async (event: AuditorEvent) => {
        logLikeDefault(auditLogger, severityLogLevels, event);
        if (
          event.status !== 'initiated' &&
          writer.accepts(event.severityLevel)
        ) {
          const error = event.status === 'failed' ? event.error : undefined;
          const attribution = attributeEvent({
            credentials: await credentials,
            meta: sanitizeMeta(event.meta),
            onBehalfOf,
          });
          writer.write({
            occurredAt: new Date(),
            plugin: event.plugin,
            action: event.eventId,
            severity: event.severityLevel,
            status: event.status,
            outcome: outcomeOf(event.status, error),
            actor: attribution.actor,
            via: attribution.via,
            target: deriveTarget(attribution.meta, event.plugin),
            requestId,
            ip: event.actor.ip,
            error: error === undefined ? undefined : errorMessage(error),
            meta: attribution.meta,
          });
        }
      },
      { auth, httpAuth, plugin },
    );
    const event = await inner.createEvent(options);
    return {
      success: event.success,
      fail: async params => {
        // this event records the refusal: the request guard records no second one
        if (options.request && params.error?.name === 'NotAllowedError') {
          markDenialAudited(options.request);
        }
        await event.fail(params);
      },
    };
  }

  /** Resolves when every event reported so far has been written. */
  flush(): Promise<void> {
    return this.deps.writer.flush();
  }
}

// What @backstage/backend-defaults' auditorServiceFactory does with an event.
function logLikeDefault(
  auditLogger: LoggerService,
  levels: Record<AuditorServiceEventSeverityLevel, LogLevel>,
  event: AuditorEvent,
) {
  const level = levels[event.severityLevel];
  if ('error' in event) {
    const { error, ...rest } = event;
    auditLogger.child(rest)[level](`${event.plugin}.${event.eventId}`, error);
  } else {
    auditLogger[level](`${event.plugin}.${event.eventId}`, event);
  }
}

/**
 * Replaces the default auditor: events are still logged as before, and every
 * completed event of at least `opsdeck.audit.minSeverity` is also stored in
 * the audit log that the audit plugin serves.
 *
 * @public
 */
export const opsdeckAuditorServiceFactory = createServiceFactory({
  service: coreServices.auditor,
  deps: {
    config: coreServices.rootConfig,
    rootLogger: coreServices.rootLogger,
    rootLifecycle: coreServices.rootLifecycle,
    auditStore: auditStoreServiceRef,
    logger: coreServices.logger,
    auth: coreServices.auth,
    httpAuth: coreServices.httpAuth,
    plugin: coreServices.pluginMetadata,
  },
  createRootContext({ config, rootLogger, rootLifecycle, auditStore }) {
    return {
      writer: AuditEventWriter.create({
        config,
        rootLogger,
        rootLifecycle,
        auditStore,
      }),
      severityLogLevels: readSeverityLogLevels(config),
    };
  },
  factory({ logger, auth, httpAuth, plugin }, { writer, severityLogLevels }) {
    return new OpsdeckAuditorService({
      logger,
      auth,
      httpAuth,
      plugin,
      writer,
      severityLogLevels,
    });
  },
});
