import type { ConfigSet } from '@opsdeck/plugin-config-common';
import {
  DEFAULT_RELOAD,
  redisChanges,
  redisHotApply,
  redisPing,
  redisSecretsUnreadable,
} from './kinds';

/** How a push makes the running service take the swapped file, and how a revert takes the previous one back. */
export type ApplyPlan = {
  /** Run after the swap (undefined: nothing to run). */
  apply?: string;
  /** Run after the previous file is put back. */
  revert?: string;
  /**
   * Set when the service is restarted (a redis change it cannot take hot):
   * what says the restarted server answers, with the new file and, after a
   * revert, with the previous one. Used when the set has no health check.
   */
  restart?: { ping: string; pingPrevious: string };
  /**
   * The revert needs the failed file beside the restored one, as
   * `<target>.opsdeck-prev` (HostAgent.restore keeps it there; the revert
   * removes it): a redis hot revert may have to authenticate with the
   * password a hot `requirepass` change set.
   */
  keepFailed?: boolean;
};

/**
 * The apply step of a push from `before` (the live file) to `after`: the
 * set's reload command, else the kind's (nginx reload; redis CONFIG SET +
 * CONFIG REWRITE). A redis change touching directives the running server
 * cannot take (see redisChanges) is applied with the set's restart command
 * when it has one (and reverted with it); without one the hot apply refuses
 * it, naming them, before setting anything, and the push is reverted (the
 * previous file put back as it was, no CONFIG REWRITE).
 */
export function applyPlan(
  set: ConfigSet,
  before: string,
  after: string,
): ApplyPlan {
  const restart =
    set.kind === 'redis' && redisChanges(before, after).restart.length > 0;
  if (restart && set.restartCommand) {
    return {
      apply: set.restartCommand,
      revert: set.restartCommand,
      restart: { ping: redisPing(after), pingPrevious: redisPing(before) },
    };
  }
  if (set.reloadCommand || DEFAULT_RELOAD[set.kind]) {
    const reload = set.reloadCommand ?? DEFAULT_RELOAD[set.kind];
    return { apply: reload, revert: reload };
  }
  if (set.kind !== 'redis') return {};
  return {
    apply: redisHotApply(before, after, {
      hint: 'give the set a restart command to apply such changes with a restart',
    }),
    // refused before anything was set: the previous file goes back as it was
    ...(restart ||
    redisSecretsUnreadable(before) ||
    redisSecretsUnreadable(after)
      ? {}
      : {
          revert: redisHotApply(after, before, { revert: true }),
          keepFailed: true,
        }),
  };
}
