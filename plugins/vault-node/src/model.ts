/** Kinds of secret the vault holds. */
export type CredentialType = 'ssh-key' | 'password';

/** Every kind of secret, in display order. */
export const CREDENTIAL_TYPES: readonly CredentialType[] = [
  'ssh-key',
  'password',
];

/**
 * What a secret is taken out of the vault for:
 * - `ssh-login`: log in to a host over SSH (fact collection, jobs, file
 *   distribution, bastion sessions);
 * - `db-admin`: administer a database server (create accounts, slow-query
 *   views);
 * - `db-change`: run approved changes on a database;
 * - `db-read`: read-only queries (the query console);
 * - `job-secret`: a job's secret parameter or a webhook's signing secret,
 *   handed to code an operator wrote;
 * - `alert-channel`: an alert channel's robot or webhook signing secret, taken
 *   out by the monitoring alert router for `monitoring-channel:<name>` with
 *   the channel's configured owner group (no person: alerts have none);
 * - `registry`: log in to an image registry (Docker Registry v2 basic or
 *   bearer token) to browse it or delete a tag, taken out by the registry
 *   plugin for the registry's catalog resource on behalf of the person asking;
 * - `ci-poll`: read a Jenkins instance's builds with its API token, taken
 *   out by the CI/CD alert poller for `job:jenkins/<instance>` (no person:
 *   a scheduled task);
 * - `ci-intake`: the HMAC secret other CI systems sign build posts with,
 *   taken out by the CI/CD intake webhook for `cicd-intake:<system>` (each
 *   CI system has its own credential) with the configured owner group (no
 *   person: a CI system posts).
 * - `kubernetes-token`: a Kubernetes service-account bearer token, taken out by
 *   the kubernetes backend module for the cluster's catalog resource on
 *   behalf of the person asking (workloads, events, logs, actions).
 * - `kubernetes-poll`: the same token, taken out by the kubernetes backend
 *   module's scheduled task that lists every cluster's pods to learn which
 *   image digests run where (no person: a scheduled task), for the
 *   cluster's catalog resource.
 * - `config-secret`: a password written into a config file (a redis
 *   `requirepass`, an upstream's basic-auth password), taken out by the config
 *   backend only when a release, rollback or adoption runs, for
 *   `config-set:<name>` with the set's owner and the host's system and
 *   environment, on behalf of the person pushing (who must be a member of the
 *   credential's owner group, as for `job-secret`: the file lands on hosts).
 */
export type CredentialUse =
  | 'ssh-login'
  | 'db-admin'
  | 'db-change'
  | 'db-read'
  | 'job-secret'
  | 'alert-channel'
  | 'registry'
  | 'ci-poll'
  | 'ci-intake'
  | 'kubernetes-token'
  | 'kubernetes-poll'
  | 'config-secret';

/** Every use, in display order. */
export const CREDENTIAL_USES: readonly CredentialUse[] = [
  'ssh-login',
  'db-admin',
  'db-change',
  'db-read',
  'job-secret',
  'alert-channel',
  'registry',
  'ci-poll',
  'ci-intake',
  'kubernetes-token',
  'kubernetes-poll',
  'config-secret',
];

/** True when `value` names a credential use. */
export function isCredentialUse(value: unknown): value is CredentialUse {
  return (CREDENTIAL_USES as readonly unknown[]).includes(value);
}

/** A decrypted secret, for server-side use only: never log or return it. */
export type VaultSecret =
  | { type: 'ssh-key'; username?: string; privateKey: string }
  | { type: 'password'; username?: string; password: string };

/**
 * What a secret is taken out for: a catalog entity ref
 * (`resource:default/web-01`) or `job:<id>`, with the owner, system and
 * environment the server read from the catalog or its own tables (never from
 * a request body). Owner and system are full entity refs in lower case
 * (`group:default/ops`, `system:default/shop`).
 */
export interface SecretTarget {
  ref: string;
  owner?: string;
  system?: string;
  environment?: string;
}

/** Who takes a secret out of the vault, what for and on whose behalf. */
export interface SecretUse {
  use: CredentialUse;
  /** What the secret is taken out for (see {@link SecretTarget}). */
  for: SecretTarget;
  /** The person on whose behalf (user entity ref), for the audit event of a denied or granted use. */
  actor?: string;
}

/**
 * Events-service topic the vault plugin publishes to after a credential's
 * secret was stored (created or replaced), so that plugins using the
 * credential can act at once (the CMDB collects the facts of its hosts).
 */
export const VAULT_CREDENTIAL_SAVED_TOPIC = 'opsdeck.vault.credential-saved';

/** Payload of {@link VAULT_CREDENTIAL_SAVED_TOPIC}: names only, never a secret. */
export interface VaultCredentialSavedEvent {
  /** The credential's name. */
  name: string;
  /** Entity ref of the person (or service) who saved it. */
  actor: string;
}
