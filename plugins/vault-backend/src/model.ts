import type { CredentialUse } from '@opsdeck/plugin-vault-node';

/**
 * Whom and what a credential may serve, checked every time its secret is
 * taken out of the vault (`VaultService.getSecret`):
 * - `owner`: the group that owns the credential. A target (host, database)
 *   must be owned by this group; a job secret is only taken out on behalf of a
 *   member of it. Without an owner the credential serves nothing.
 * - `allowedUses`: what it may be taken out for; nothing else.
 * - `allowedSystems` / `allowedEnvironments`: when not empty, the target must
 *   belong to one of these systems / environments.
 */
export interface CredentialPolicy {
  owner?: string;
  allowedUses: CredentialUse[];
  allowedSystems: string[];
  allowedEnvironments: string[];
}

/** The outcome of checking one use against a credential's policy. */
export type UseDecision =
  | { allowed: true }
  | {
      allowed: false;
      /** Why, in words an operator can act on; never contains secret material. */
      reason: string;
    };
