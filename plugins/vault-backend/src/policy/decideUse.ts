import type { SecretUse } from '@opsdeck/plugin-vault-node';
import type { CredentialPolicy } from '@opsdeck/plugin-vault-node';
import type { UseDecision } from '../model';

/** Targets that are not catalog entities but a job (`job:<id>`). */
const JOB_REF = /^job:/;

/** The groups a person is a direct member of (full lower-case refs). */
export type GroupsOf = (userRef: string) => Promise<string[]>;

function deny(reason: string): UseDecision {
  return { allowed: false, reason };
}

/**
 * Checks one use of a credential against its policy, from the credential's
 * metadata alone (nothing is decrypted for a refused use):
 *
 * 1. the use is one of the credential's allowed uses;
 * 2. the credential has an owner group, and the target is owned by it (a
 *    host, a database); a job target (`job:<id>`) may name no owner, but if it
 *    names one (the owner of a host the job runs on) it must be this group;
 * 3. with allowed systems / environments, the target is in one of them;
 * 4. a job secret (handed to a script an operator wrote, which can print it)
 *    is only taken out on behalf of a person who is a member of the owner
 *    group (direct membership, read from the catalog at use); so is a
 *    config secret (written into a file on the hosts the person pushes to).
 */
export async function decideUse(
  credential: CredentialPolicy,
  use: SecretUse,
  groupsOf: GroupsOf,
): Promise<UseDecision> {
  const target = use.for;
  if (!credential.allowedUses.includes(use.use)) {
    return deny(
      credential.allowedUses.length === 0
        ? 'it has no allowed uses yet; an admin sets them on the Credentials page'
        : `it may be used for ${credential.allowedUses.join(', ')} only`,
    );
  }
  const owner = credential.owner;
  if (!owner) {
    return deny(
      'it has no owner group yet; an admin sets it on the Credentials page',
    );
  }
  const isJob = JOB_REF.test(target.ref);
  if (!target.owner && !isJob) {
    return deny(
      `${target.ref} has no owner, and the credential belongs to ${owner}`,
    );
  }
  if (target.owner && target.owner !== owner) {
    return deny(
      `it belongs to ${owner}, and ${target.ref} is owned by ${target.owner}`,
    );
  }
  if (
    credential.allowedSystems.length > 0 &&
    !(target.system && credential.allowedSystems.includes(target.system))
  ) {
    return deny(
      `it serves systems ${credential.allowedSystems.join(', ')} only, and ${
        target.ref
      } is ${target.system ? `in ${target.system}` : 'in no system'}`,
    );
  }
  if (
    credential.allowedEnvironments.length > 0 &&
    !(
      target.environment &&
      credential.allowedEnvironments.includes(target.environment)
    )
  ) {
    return deny(
      `it serves environments ${credential.allowedEnvironments.join(
        ', ',
      )} only, and ${target.ref} is ${
        target.environment ? `in ${target.environment}` : 'in no environment'
      }`,
    );
  }
  if (use.use === 'job-secret' || use.use === 'config-secret') {
    if (!use.actor) {
      return deny(
        `a ${
          use.use === 'job-secret' ? 'job' : 'config'
        } secret is only taken out on behalf of a person`,
      );
    }
    const groups = await groupsOf(use.actor);
    if (!groups.includes(owner)) {
      return deny(`${use.actor} is not a member of ${owner}`);
    }
  }
  return { allowed: true };
}
