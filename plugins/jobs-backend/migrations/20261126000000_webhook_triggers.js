// @ts-check

/**
 * A job webhook's single `when` (failure | always) becomes a set of ticked
 * `triggers` (success, failure, cancel) inside the `jobs.webhook` JSON:
 * `always` -> all three, `failure` -> failure. Down maps failure-only back to
 * `failure` and any other set to `always` (lossy: `always` also sends on
 * triggers that were not ticked).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await rewriteWebhooks(knex, webhook => {
    if (Array.isArray(webhook.triggers)) return undefined;
    const { when, ...rest } = webhook;
    return {
      ...rest,
      triggers:
        when === 'always' ? ['success', 'failure', 'cancel'] : ['failure'],
    };
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await rewriteWebhooks(knex, webhook => {
    if (!Array.isArray(webhook.triggers)) return undefined;
    const { triggers, ...rest } = webhook;
    const failureOnly = triggers.length === 1 && triggers[0] === 'failure';
    return { ...rest, when: failureOnly ? 'failure' : 'always' };
  });
};

/**
 * Rewrites every stored webhook with `change` (undefined: leave it).
 *
 * @param {import('knex').Knex} knex
 * @param {(webhook: Record<string, any>) => Record<string, any> | undefined} change
 */
async function rewriteWebhooks(knex, change) {
  const rows = await knex('jobs')
    .whereNotNull('webhook')
    .select('id', 'webhook');
  for (const row of rows) {
    const next = change(JSON.parse(row.webhook));
    if (next) {
      await knex('jobs')
        .where({ id: row.id })
        .update({ webhook: JSON.stringify(next) });
    }
  }
}
