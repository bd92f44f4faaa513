import { OpsdeckRole } from '@opsdeck/plugin-opsdeck-common';

/**
 * Grantee meaning "any signed-in user, with or without an opsdeck role".
 * Only used in code, for Backstage permissions that only read; config can't
 * use it.
 */
export const ANY_USER = 'any-user' as const;

/** Who gets a permission, besides admin (who always gets everything). */
export type Grant = readonly OpsdeckRole[] | typeof ANY_USER;

/**
 * The grant table: permission name -> the non-admin roles that get it.
 *
 * - admin is never listed: admin gets every permission.
 * - viewer never gets a permission whose `attributes.action` is create, update
 *   or delete, even when listed (the policy drops it).
 * - An `opsdeck.*` permission missing from this table is admin-only.
 * - A Backstage permission missing from this table falls back to
 *   {@link BACKSTAGE_PREFIX_GRANTS}, then to {@link BACKSTAGE_DEFAULT_GRANT}.
 *
 * Operators can replace any entry with config (`opsdeck.permissionGrants`).
 * New opsdeck plugins (bastion, jobs, files, sql ...) add their permissions here.
 */
export const PERMISSION_GRANTS: Readonly<Record<string, Grant>> = {
  // --- opsdeck -------------------------------------------------------------
  // Security (viewer) audits the audit log; ops needs it for incidents.
  'opsdeck.audit.event.read': ['ops', 'viewer'],
  // Local accounts are admin-only.
  'opsdeck.local-auth.account.read': [],
  'opsdeck.local-auth.account.manage': [],
  // Changing one's own password is a change, so viewers (read-only) ask an admin.
  'opsdeck.local-auth.account.password.change-own': ['ops', 'dba', 'dev'],
  // Vault: ops and security see which credentials exist (never the secrets);
  // only admins add, replace, delete or re-encrypt them.
  'opsdeck.vault.credential.read': ['ops', 'viewer'],
  'opsdeck.vault.credential.manage': [],
  // CMDB: every role sees hosts and facts; ops registers, decommissions and
  // collects facts on demand.
  'opsdeck.cmdb.host.read': ['ops', 'dba', 'dev', 'viewer'],
  'opsdeck.cmdb.host.create': ['ops'],
  'opsdeck.cmdb.host.delete': ['ops'],
  'opsdeck.cmdb.host.collect': ['ops'],
  // Trusting a new SSH host key is a security decision: admin only.
  'opsdeck.cmdb.host.hostkey.reset': [],
  'opsdeck.cmdb.host.hostkey.accept': [],
  // A host's owner decides which vault credentials it may use: others
  // register hosts for their own groups only.
  'opsdeck.cmdb.host.owner.any': [],
  // Tickets: every role sees requests and approvals; those who run templates
  // comment and decide (the tickets backend also requires being a current
  // approver and not the requester).
  'opsdeck.tickets.ticket.read': ['ops', 'dba', 'dev', 'viewer'],
  'opsdeck.tickets.ticket.decide': ['ops', 'dba', 'dev'],
  'opsdeck.tickets.ticket.comment': ['ops', 'dba', 'dev'],
  // Files: every role sees the library; ops, dba and dev upload; ops pushes
  // files to hosts; deleting a version is for ops.
  'opsdeck.files.file.read': ['ops', 'dba', 'dev', 'viewer'],
  'opsdeck.files.file.upload': ['ops', 'dba', 'dev'],
  'opsdeck.files.file.delete': ['ops'],
  'opsdeck.files.distribute': ['ops'],
  // SQL: every role sees instances and changes; dev, dba and ops submit
  // changes; dba approve (and must be in the instance's approver group),
  // execute and roll back; security (viewer) reads the query log.
  'opsdeck.sql.instance.read': ['ops', 'dba', 'dev', 'viewer'],
  'opsdeck.sql.change.create': ['ops', 'dba', 'dev'],
  'opsdeck.sql.change.approve': ['dba'],
  'opsdeck.sql.change.execute': ['dba'],
  'opsdeck.sql.query': ['ops', 'dba', 'dev'],
  'opsdeck.sql.querylog.read': ['dba', 'viewer'],
  'opsdeck.sql.slowquery.read': ['ops', 'dba', 'dev'],
  // Reviewing asks the live database (EXPLAIN, catalog) with the read
  // credential: those who submit changes review; viewers read findings only.
  'opsdeck.sql.review': ['ops', 'dba', 'dev'],
  // Masked data in clear, and privileged read credentials: admin only.
  'opsdeck.sql.data.unmask': [],
  'opsdeck.sql.instance.exception': [],

  // Bastion: ops, dba and dev open terminals (an access grant must still match the host);
  // security (viewer) reviews every session and command; ops sees the grants and rules;
  // watching/terminating others' sessions and changing grants or rules is admin-only.
  'opsdeck.bastion.session.open': ['ops', 'dba', 'dev'],
  'opsdeck.bastion.session.read': ['viewer'],
  'opsdeck.bastion.session.manage': [],
  'opsdeck.bastion.grant.read': ['ops', 'viewer'],
  'opsdeck.bastion.grant.manage': [],
  // commands held by a `review` rule: ops leads approve them (never their own)
  'opsdeck.bastion.command.review': ['ops'],
  // resetting someone else's TOTP enrolment is admin-only (everyone may reset their own
  // with a current code, which needs only session.open)
  'opsdeck.bastion.mfa.reset': [],

  // Jobs: every role sees jobs, runs of saved jobs and their output; ops saves
  // scripts, runs them on hosts (checked per host) and schedules them.
  'opsdeck.jobs.job.read': ['ops', 'dba', 'dev', 'viewer'],
  // Ad-hoc commands typed by others (script and output may hold sensitive
  // arguments): ops only, like Rundeck's adhoc read; whoever ran one sees it.
  'opsdeck.jobs.adhoc.read': ['ops'],
  'opsdeck.jobs.job.manage': ['ops'],
  'opsdeck.jobs.run': ['ops'],
  // Running on prod hosts is its own right: admins only unless granted
  // (opsdeck.permissionGrants), so an ops role alone does not reach prod.
  'opsdeck.jobs.run.prod': [],

  // Weekly tech report: every role reads reports (summaries of their own
  // work, with links); whoever changes things writes a draft's highlights
  // (team reports: members of the team); report.manage (any team's report,
  // generating a past week) is admin-only.
  'opsdeck.report.read': ['ops', 'dba', 'dev', 'viewer'],
  'opsdeck.report.edit': ['ops', 'dba', 'dev'],
  'opsdeck.report.manage': [],

  // CI/CD: every role sees a component's builds and located causes; those
  // who ship code start a job again of the components their groups own;
  // ops of any component.
  'opsdeck.cicd.build.read': ['ops', 'dba', 'dev', 'viewer'],
  'opsdeck.cicd.build.rebuild': ['ops', 'dev'],
  'opsdeck.cicd.owner.any': ['ops'],
  // Configuration management: every role reads sets, versions, diffs and
  // drift; ops edits templates and pushes, rolls back and adopts live files;
  // pushing to prod hosts is admin-only unless granted (like jobs.run.prod).
  'opsdeck.config.read': ['ops', 'dba', 'dev', 'viewer'],
  'opsdeck.config.edit': ['ops'],
  'opsdeck.config.push': ['ops'],
  'opsdeck.config.push.prod': [],
  // Monitoring: service discovery and the Alertmanager webhook are for the
  // Prometheus and Alertmanager static tokens (restricted to that one
  // permission), never a person; ops reads alerts and deliveries and test-sends.
  'opsdeck.monitoring.sd.read': [],
  'opsdeck.monitoring.alert.receive': [],
  'opsdeck.monitoring.alert.read': ['ops', 'dba', 'dev'],
  'opsdeck.monitoring.channel.test': ['ops'],
  'opsdeck.monitoring.rule.manage': ['ops'],
  'opsdeck.monitoring.probe.script': ['ops'],
  'opsdeck.monitoring.silence.manage': ['ops'],
  'opsdeck.monitoring.metrics.read': ['ops', 'dba', 'dev', 'viewer'],
  'opsdeck.monitoring.alert.acknowledge': ['ops', 'dba', 'dev'],
  // Image registry: every role browses repositories, tags and retention dry
  // runs; deleting a tag (which removes its manifest) is for ops.
  'opsdeck.registry.read': ['ops', 'dba', 'dev', 'viewer'],
  'opsdeck.registry.tag.delete': ['ops'],
  // CI/CD failure locator: those who ship code add causes to the knowledge
  // base (from a failed build's console) and delete stored ones.
  'opsdeck.cicd.cause.manage': ['ops', 'dev'],
  // Build alerts given up after their retries (every component's owner and
  // title): ops sees them and sends one again.
  'opsdeck.cicd.alert.manage': ['ops'],
  // Kubernetes: ops and dev restart, scale, deploy an image to (and roll
  // back) and delete pods of the components their groups own; ops acts on
  // any component; only ops changes workloads on prod clusters.
  'opsdeck.kubernetes.deployment.restart': ['ops', 'dev'],
  'opsdeck.kubernetes.deployment.scale': ['ops', 'dev'],
  'opsdeck.kubernetes.deployment.image': ['ops', 'dev'],
  'opsdeck.kubernetes.pod.delete': ['ops', 'dev'],
  'opsdeck.kubernetes.owner.any': ['ops'],
  'opsdeck.kubernetes.prod.change': ['ops'],

  // --- Backstage catalog ---------------------------------------------------
  'catalog.entity.create': ['ops'],
  'catalog.entity.delete': ['ops'],
  'catalog.entity.refresh': ['ops'],
  'catalog.location.create': ['ops'],
  'catalog.location.delete': ['ops'],
  // No action attribute, but they only read (validate a YAML, analyze a URL
  // before registering it).
  'catalog.entity.validate': ANY_USER,
  'catalog.location.analyze': ANY_USER,

  // --- Backstage kubernetes (with opsdeck's module) ------------------------
  // Every role sees clusters and a component's workloads (a person with no
  // role sees none); logs and events (the read-only proxy) for ops and dev.
  'kubernetes.clusters.read': ['ops', 'dba', 'dev', 'viewer'],
  'kubernetes.resources.read': ['ops', 'dba', 'dev', 'viewer'],
  'kubernetes.proxy': ['ops', 'dev'],
};

/**
 * Grants by name prefix, for Backstage permissions that are not reads
 * (`attributes.action` other than `read`) and not in {@link PERMISSION_GRANTS}.
 * Reads of these plugins (e.g. `scaffolder.task.read`,
 * `scaffolder.template.parameter.read`) are allowed to any signed-in user.
 */
export const BACKSTAGE_PREFIX_GRANTS: Readonly<Record<string, Grant>> = {
  // Run templates, execute actions, cancel tasks, dry-run, template editor.
  'scaffolder.': ['ops', 'dba', 'dev'],
};

/**
 * Any other Backstage permission that is not a read (create/update/delete, or
 * no action attribute, e.g. `kubernetes.proxy`): admin and ops.
 */
export const BACKSTAGE_DEFAULT_GRANT: Grant = ['ops'];
