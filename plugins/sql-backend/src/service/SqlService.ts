import type {
  AuditorService,
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { SqlInstance } from '../catalog/instances';
import type { Masker } from '../console/masking';
import type { SqlStore } from '../database/SqlStore';
import { sqlDriver } from '../engines';
import { mongoVersion } from '../engines/mongodb';
import { redisVersion } from '../engines/redis';
import type { ConsoleLimits, MaskedFilterPolicy } from '../model';
import { ChangeService } from './ChangeService';
import { ConsoleService } from './ConsoleService';
import { type GetSecret, InstanceAccess } from './instanceAccess';
import { SlowQueryService } from './SlowQueryService';

export type { Actor, ConsoleLimits } from '../model';
export { INTERRUPTED_REASON } from './ChangeService';

/**
 * The sql plugin's operations, by concern: instances and their credentials
 * (`access`), the change workflow (`changes`), the query console
 * (`console`) and slow queries (`slowQueries`). The router adds HTTP,
 * permissions and audit.
 */
export class SqlService {
  readonly access: InstanceAccess;
  readonly changes: ChangeService;
  readonly console: ConsoleService;
  readonly slowQueries: SlowQueryService;

  constructor(
    private readonly deps: {
      store: SqlStore;
      catalog: CatalogService;
      auth: AuthService;
      /** The vault, asked for a credential with its use, target and person. */
      getSecret: GetSecret;
      masker: Masker;
      limits: ConsoleLimits;
      logger: LoggerService;
      notifications?: NotificationService;
      /** For events without a request (interrupted changes). */
      auditor?: AuditorService;
      /** How often an executing change records a heartbeat (default 30 s). */
      heartbeatMs?: number;
      /** Approver groups added for destructive changes (instances may name their own). */
      destructiveApprovers?: string[];
      /** Console queries filtering on masked columns: refused (default) or run and audited. */
      maskedFilter?: MaskedFilterPolicy;
      slowQueries?: { top: number; timeoutMs: number; historyMs?: number };
    },
  ) {
    this.access = new InstanceAccess(deps);
    this.changes = new ChangeService({ ...deps, access: this.access });
    this.console = new ConsoleService({ ...deps, access: this.access });
    this.slowQueries = new SlowQueryService({ ...deps, access: this.access });
  }

  listInstances(credentials: BackstageCredentials): Promise<SqlInstance[]> {
    return this.access.listInstances(credentials);
  }

  getInstance(
    ref: string,
    credentials: BackstageCredentials,
  ): Promise<SqlInstance> {
    return this.access.getInstance(ref, credentials);
  }

  /**
   * Reachability and server version (with the read credential), and for SQL
   * instances whether that login is read-only and the instance's exception.
   */
  async check(instance: SqlInstance, actor?: string) {
    try {
      let version: string;
      if (instance.engine === 'redis') {
        version = await redisVersion(
          await this.access.target(instance, 'db-read', undefined, actor),
        );
      } else if (instance.engine === 'mongodb') {
        version = await mongoVersion(
          await this.access.target(instance, 'db-read', undefined, actor),
        );
      } else {
        const driver = sqlDriver(this.access.sqlEngine(instance));
        const status = await this.access.readLoginStatus(instance, actor);
        const session = await driver.connect(
          await this.access.target(instance, 'db-read', undefined, actor),
        );
        try {
          version = await driver.version(session);
        } finally {
          await session.close();
        }
        return {
          reachable: true,
          version,
          readLogin: { readOnly: status.readOnly, problems: status.problems },
          exception: status.exception,
        };
      }
      return { reachable: true, version };
    } catch (error) {
      return {
        reachable: false,
        error: (error as Error).message,
        exception: await this.deps.store.getInstanceException(instance.ref),
      };
    }
  }

  /** Makes an instance an exception (privileged read credential allowed); admins only, audited by the router. */
  async setException(instance: SqlInstance, reason: string, setBy: string) {
    const exception = {
      instanceRef: instance.ref,
      reason,
      setBy,
      setAt: new Date().toISOString(),
    };
    await this.deps.store.setInstanceException(exception);
    return exception;
  }

  async clearException(instance: SqlInstance) {
    return this.deps.store.clearInstanceException(instance.ref);
  }
}
