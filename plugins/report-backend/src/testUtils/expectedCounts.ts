import type { ReportFigureKey } from '@opsdeck/plugin-report-common';
import { Knex } from 'knex';
import { ReportWeek } from '../schedule/period';

/**
 * Each figure's count written again as SQL over the same tables (audit_events
 * and the jobs plugin's runs), independently of the report's own code: what
 * the integration test checks every figure of every report against.
 */
export function expectedCounter(
  knex: Knex,
  week: ReportWeek,
  options: { prodHosts: string[] },
) {
  const pg = knex.client.config.client === 'pg';
  // A JSON field of meta, as text ('1'/'true' for true, depending on the
  // engine). knex takes a raw expression where a column goes; its types do not.
  const j = (key: string): any =>
    pg
      ? knex.raw(`(meta::json->>'${key}')`)
      : knex.raw(`CAST(json_extract(meta, '$.${key}') AS TEXT)`);
  const TRUE = ['true', '1'];

  const audit = (plugin: string, actions: string[], members?: string[]) => {
    const q = knex('audit_events')
      .where('plugin', plugin)
      .whereIn('action', actions)
      .where('status', 'succeeded')
      .where('occurred_at', '>=', week.from)
      .where('occurred_at', '<', week.to);
    if (members) q.whereIn('actor', members);
    return q;
  };
  const count = async (q: Knex.QueryBuilder) =>
    Number((await q.count({ n: '*' }))[0].n);

  const docs = async (isNew: boolean, team?: string) => {
    const base = () => {
      const q = audit('techdocs', ['docs-build']);
      if (team) q.where(j('owner'), team);
      return q;
    };
    const news = base().where(j('new'), 'in', TRUE).distinct(j('entityRef'));
    if (isNew) {
      return (await news).length;
    }
    const newRefs = (await news).map(r => Object.values(r)[0]);
    const updated = await base()
      .whereNot(q => q.where(j('new'), 'in', TRUE))
      .distinct(j('entityRef'));
    return updated.filter(r => !newRefs.includes(Object.values(r)[0])).length;
  };

  const runs = (members?: string[]) => {
    const q = knex('runs')
      .where('created_at', '>=', week.from.getTime())
      .where('created_at', '<', week.to.getTime());
    if (members) q.whereIn('triggered_by', members);
    return q;
  };

  /** The count of `figure` for a scope: every member's doing (or the team's docs). */
  return async (
    figure: ReportFigureKey,
    scope: { team?: string; members?: string[] },
  ): Promise<number> => {
    const m = scope.members;
    switch (figure) {
      case 'sql.executed':
        return count(
          audit('sql', ['sql-change-execute'], m).whereNot(
            j('status'),
            'failed',
          ),
        );
      case 'sql.failed':
        return count(
          audit('sql', ['sql-change-execute'], m).where(j('status'), 'failed'),
        );
      case 'sql.rolledBack':
        return count(audit('sql', ['sql-change-rollback'], m));
      case 'files.distributions':
        return count(audit('files', ['file-distribute'], m));
      case 'files.failed': {
        const q = knex('audit_events')
          .where({
            plugin: 'files',
            action: 'file-distribute',
            status: 'failed',
          })
          .where('occurred_at', '>=', week.from)
          .where('occurred_at', '<', week.to);
        if (m) q.whereIn('actor', m);
        return count(q);
      }
      case 'hosts.registered':
        return count(audit('cmdb', ['host-register'], m));
      case 'hosts.decommissioned':
        return count(audit('cmdb', ['host-decommission'], m));
      case 'bastion.prodSessions':
        return count(
          audit('bastion', ['session-open'], m).whereIn(
            j('hostRef'),
            options.prodHosts,
          ),
        );
      case 'bastion.grants':
        return count(audit('bastion', ['grant-create'], m));
      case 'tickets.opened':
        return count(
          audit('tickets', ['ticket-submit'], m).whereIn(j('created'), TRUE),
        );
      case 'tickets.closed':
        return (
          (await count(
            audit('tickets', ['ticket-state'], m).whereIn(j('to'), [
              'done',
              'failed',
            ]),
          )) +
          (await count(
            audit('tickets', ['ticket-decide'], m).where(j('to'), 'rejected'),
          )) +
          (await count(audit('tickets', ['ticket-expire'], m)))
        );
      case 'docs.new':
        return docs(true, scope.team);
      case 'docs.updated':
        return docs(false, scope.team);
      case 'jobs.runs':
        return count(runs(m));
      case 'jobs.failed':
        return count(runs(m).whereIn('status', ['failed', 'interrupted']));
      default:
        throw new Error(`no SQL for ${figure}`);
    }
  };
}
