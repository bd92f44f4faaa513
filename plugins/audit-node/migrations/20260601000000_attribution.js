// @ts-check

/**
 * Investigation-grade attribution: `via` (what acted for the actor) and
 * `outcome` (success, denied, failed). Events that plugins reported as
 * themselves while naming the person in meta.actor (bastion sessions,
 * scaffolder steps) are re-attributed to the person, the plugin moving to via.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('audit_events', table => {
    table
      .string('via', 512)
      .notNullable()
      .defaultTo('')
      .comment('What acted for the actor, space-separated, outermost first');
    table
      .string('outcome', 16)
      .notNullable()
      .defaultTo('success')
      .comment('success, denied (permission refused) or failed');
    table.index(['outcome', 'id'], 'audit_events_outcome_idx');
  });
  await knex('audit_events')
    .where('status', 'failed')
    .update({ outcome: 'failed' });
  await knex('audit_events')
    .where('status', 'failed')
    .where(q =>
      q
        .where('error', 'like', 'You are not allowed%')
        .orWhere('error', 'like', 'Missing permission%')
        .orWhere('error', 'like', 'Only admins%'),
    )
    .update({ outcome: 'denied' });

  // plugin-reported events that name a person
  let after = 0;
  for (;;) {
    const rows = await knex('audit_events')
      .select('id', 'actor', 'meta')
      .where('actor', 'like', 'plugin:%')
      .where('meta', 'like', '%"actor":"user:%')
      .where('id', '>', after)
      .orderBy('id')
      .limit(500);
    if (rows.length === 0) break;
    for (const row of rows) {
      after = Number(row.id);
      let meta;
      try {
        meta = JSON.parse(row.meta);
      } catch {
        continue;
      }
      if (
        typeof meta?.actor !== 'string' ||
        !/^user:[^/]+\/.+/.test(meta.actor)
      ) {
        continue;
      }
      const { actor, ...rest } = meta;
      await knex('audit_events')
        .where('id', row.id)
        .update({
          actor: actor.slice(0, 512),
          via: String(row.actor).slice(0, 512),
          meta: JSON.stringify(rest),
        });
    }
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('audit_events', table => {
    table.dropIndex(['outcome', 'id'], 'audit_events_outcome_idx');
    table.dropColumn('via');
    table.dropColumn('outcome');
  });
};
