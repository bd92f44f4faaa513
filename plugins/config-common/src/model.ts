import type { HostSelector } from '@opsdeck/plugin-cmdb-common';

/** What a config set's file is; picks the default validation and reload. */
export type ConfigKind = 'nginx' | 'redis' | 'text' | 'json' | 'yaml';

/** Every kind, in the order the UI offers them. */
export const CONFIG_KINDS: readonly ConfigKind[] = [
  'nginx',
  'redis',
  'text',
  'json',
  'yaml',
];

/**
 * How a host is checked after a reload. `url` / `address` / `command` are
 * templates rendered with the host's variables (e.g.
 * `http://{{host.address}}:{{vars.port}}/health`).
 */
export type HealthCheck =
  | {
      type: 'http';
      url: string;
      /** Default 200. */
      expectStatus?: number;
      /** The body must contain this text (a template too). */
      expectBody?: string;
    }
  | { type: 'tcp'; address: string }
  | { type: 'script'; command: string };

/**
 * Variables: defaults, then per environment, then per host (entity ref), later
 * winning. A value `{ vault: '<credential>' }` is a vault reference (the
 * credential's password, taken out only at push; `••••` in previews).
 */
export type ConfigVariables = {
  defaults?: Record<string, unknown>;
  environments?: Record<string, Record<string, unknown>>;
  hosts?: Record<string, Record<string, unknown>>;
};

/** A config set: one file rendered from a template onto the hosts a selector picks. */
export type ConfigSet = {
  id: number;
  name: string;
  kind: ConfigKind;
  /** Owner entity ref (`group:default/ops`). */
  owner: string;
  /** Optional catalog entity the config belongs to (`component:default/shop`). */
  entityRef?: string;
  selector: HostSelector;
  /** Absolute path of the file on each host. */
  targetPath: string;
  /**
   * The directory mirrored into the staging tree for validation (nginx:
   * the directory of the main config, so includes resolve); default the
   * target's directory.
   */
  stageRoot?: string;
  /** Shell command validating `$STAGED` inside `$STAGE_ROOT`; default per kind. */
  validateCommand?: string;
  /** Shell command applying `$TARGET`; default per kind (redis: CONFIG SET + CONFIG REWRITE). */
  reloadCommand?: string;
  /**
   * redis only: shell command restarting the server on `$TARGET`, run after
   * the swap (instead of the hot apply) when a change touches directives the
   * running server cannot take (`include`, `daemonize`, `databases`, …).
   */
  restartCommand?: string;
  healthCheck?: HealthCheck;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  /** Newest version number (0 before the first save). */
  latestVersion: number;
};

/** The fields a person sets on a config set. */
export type ConfigSetInput = Omit<
  ConfigSet,
  'id' | 'createdBy' | 'createdAt' | 'updatedAt' | 'latestVersion'
>;

/** One immutable saved version of a set's template and variables. */
export type ConfigVersion = {
  setId: number;
  version: number;
  template: string;
  variables: ConfigVariables;
  message: string;
  author: string;
  createdAt: string;
  /** Set on a rollback: the version whose content this one repeats. */
  rolledBackFrom?: number;
  /** Set on "adopt live": the host whose live file became this version. */
  adoptedFromHost?: string;
  /**
   * Variables saved in clear text before vault references were required whose
   * names look like secrets (`defaults.requirepass`): they still push, and
   * should move to the vault.
   */
  clearSecrets?: string[];
};

/** A host's progress through a release. */
export type ReleaseHostState =
  | 'pending'
  | 'uploading'
  | 'validating'
  | 'swapping'
  /** Pushed without reload: the new file is in place, not loaded yet (the previous one kept). */
  | 'swapped'
  | 'reloading'
  | 'checking'
  | 'done'
  | 'invalid'
  | 'reverted'
  | 'failed'
  /** Never started: the release was aborted before this host's turn. */
  | 'aborted';

/** States after which nothing more happens to the host in that release. */
export const FINAL_HOST_STATES: readonly ReleaseHostState[] = [
  'done',
  'invalid',
  'reverted',
  'failed',
  'aborted',
];

export type ReleaseHost = {
  host: string;
  position: number;
  state: ReleaseHostState;
  /** What went wrong (validation output, reload error, failed check). */
  error?: string;
  /** sha256 of the rendered file pushed. */
  contentSha256?: string;
  startedAt?: string;
  finishedAt?: string;
};

export type ReleaseAction = 'push' | 'rollback';

export type Release = {
  id: number;
  setId: number;
  version: number;
  action: ReleaseAction;
  /**
   * `paused`: between two batches, until `resumeAt` (a timed pause) or until
   * a person continues (or aborts) it; `aborting`: a person aborted it while
   * a batch ran: the hosts of that batch finish their own step (done, or
   * reverted), no other host starts; `aborted`: stopped by a person (hosts
   * not yet started are `aborted`, never pushed). `swapped`: pushed without
   * reload, the new files are in place and a reload is pending (a person
   * reloads it: `POST /releases/{id}/reload`); `reloading`: that reload runs.
   */
  status:
    | 'running'
    | 'paused'
    | 'aborting'
    | 'swapped'
    | 'reloading'
    | 'done'
    | 'failed'
    | 'aborted';
  /** false: pushed without reload (hosts end `swapped`, reloaded as a separate step). */
  reload: boolean;
  /** Who ran the separate reload step. */
  reloadedBy?: string;
  batchSize: number;
  /** Pause after each batch (seconds, 0 for none). */
  pauseSeconds: number;
  /** Stop after the first batch until a person continues. */
  confirmFirstBatch: boolean;
  /** Index of the next batch to run (batches of batchSize hosts, by position). */
  nextBatch: number;
  /** When a timed pause ends; absent while waiting for a person. */
  resumeAt?: string;
  createdBy: string;
  createdAt: string;
  /** Who aborted it (status `aborting` or `aborted`). */
  abortedBy?: string;
  finishedAt?: string;
  hosts: ReleaseHost[];
};

/** Longest pause between two batches of a release (seconds). */
export const MAX_RELEASE_PAUSE_SECONDS = 3600;

/** A host's rendered file for a version, beside what is live there. */
export type HostPreview = {
  host: string;
  rendered?: string;
  /** Why the template did not render for this host. */
  renderError?: string;
  /** The live file; undefined when missing or unreadable (see liveError). */
  live?: string;
  liveError?: string;
  /** Unified diff live → rendered ('' when equal). */
  diff: string;
};

/** A host's live file against the last version pushed to it. */
export type HostDrift = {
  host: string;
  pushedVersion?: number;
  pushedSha256?: string;
  liveSha256?: string;
  drifted: boolean;
  /** Unified diff pushed → live when drifted. */
  diff?: string;
  error?: string;
};
