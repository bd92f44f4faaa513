import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { HostsService } from '@opsdeck/plugin-cmdb-node';
import type { ChangeApprovalsService } from '@opsdeck/plugin-tickets-node';
import type { VaultService } from '@opsdeck/plugin-vault-node';
import type { ConfigStore } from '../database/ConfigStore';
import type { ConfigSsh } from '../release/HostAgent';
import type { Releaser, SshTargets } from '../release/Releaser';
import type { HostFactsSource } from './hostFacts';

/** What {@link ConfigService} is built with. */
export type ConfigServiceOptions = {
  store: ConfigStore;
  releaser: Releaser;
  hosts: Pick<HostsService, 'resolveHosts'>;
  ssh: ConfigSsh;
  sshTargets: SshTargets;
  commandTimeoutMs?: number;
  /** Most hosts pushed at once (upper bound of a release's batch size). */
  maxBatchSize?: number;
  /**
   * The plugin's own credentials, to see every host a set selects (an
   * admin's later push sees hosts the editor may not); default the caller's.
   */
  serviceCredentials?: () => Promise<BackstageCredentials>;
  /**
   * The hosts' CMDB facts (`facts.*` in templates), read on behalf of the
   * caller when a version or the health check uses them; none without it.
   */
  facts?: HostFactsSource;
  /**
   * Change approvals through tickets: without it a prod change needs
   * opsdeck.config.push.prod, full stop.
   */
  approvals?: ChangeApprovalsService;
  /** Vault references in variables are taken out of it at push (use config-secret). */
  vault?: VaultService;
  /** Where a timed pause that could not go on is told. */
  logger?: LoggerService;
};

/** Who asks: the person's ref and credentials (the catalog is read with them). */
export type Caller = {
  ref: string;
  credentials: BackstageCredentials;
  /** Whether the caller may push to prod hosts (opsdeck.config.push.prod). */
  mayPushProd?: boolean;
};
