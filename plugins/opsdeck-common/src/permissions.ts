import { createPermission } from '@backstage/plugin-permission-common';
import { deliveryPermissions } from './deliveryPermissions';

/**
 * Read the audit log (the Audit page and GET /api/audit/events).
 * Audit rows have no update or delete permission: nothing may change them.
 */
export const auditEventReadPermission = createPermission({
  name: 'opsdeck.audit.event.read',
  attributes: { action: 'read' },
});

/**
 * Backstage's per-plugin scheduler API (`/api/<plugin>/.backstage/scheduler/v1/tasks`: list,
 * trigger, cancel background tasks). Admin only: a user who could trigger or cancel any task
 * could resend reports, start fleet-wide collection or stop alert delivery.
 */
export const schedulerManagePermission = createPermission({
  name: 'opsdeck.scheduler.manage',
  attributes: { action: 'update' },
});

/** Create local accounts, set their passwords and unlock them. */
export const localAccountManagePermission = createPermission({
  name: 'opsdeck.local-auth.account.manage',
  attributes: { action: 'update' },
});

/** List local accounts (names, lock state; never password hashes). */
export const localAccountReadPermission = createPermission({
  name: 'opsdeck.local-auth.account.read',
  attributes: { action: 'read' },
});

/**
 * Change one's own local-account password (POST /api/local-auth/me/password).
 * Meant to be granted to every signed-in user; the current password is checked too.
 */
export const localAccountChangeOwnPasswordPermission = createPermission({
  name: 'opsdeck.local-auth.account.password.change-own',
  attributes: { action: 'update' },
});

/**
 * List credentials of the vault and their metadata (name, type, username,
 * fingerprint, owner). Never the secret: no route returns secret material.
 */
export const vaultCredentialReadPermission = createPermission({
  name: 'opsdeck.vault.credential.read',
  attributes: { action: 'read' },
});

/**
 * Create, replace the secret of, change and delete vault credentials, and
 * re-encrypt the vault under the current key (POST /api/vault/rotate).
 */
export const vaultCredentialManagePermission = createPermission({
  name: 'opsdeck.vault.credential.manage',
  attributes: { action: 'update' },
});

/** List and read CMDB hosts and their facts, and export them as CSV. */
export const cmdbHostReadPermission = createPermission({
  name: 'opsdeck.cmdb.host.read',
  attributes: { action: 'read' },
});

/** Register hosts through the CMDB API (they become catalog entities). */
export const cmdbHostCreatePermission = createPermission({
  name: 'opsdeck.cmdb.host.create',
  attributes: { action: 'create' },
});

/** Decommission hosts registered through the CMDB API. */
export const cmdbHostDeletePermission = createPermission({
  name: 'opsdeck.cmdb.host.delete',
  attributes: { action: 'delete' },
});

/** Collect a host's facts now (connects to it over SSH). */
export const cmdbHostCollectPermission = createPermission({
  name: 'opsdeck.cmdb.host.collect',
  attributes: { action: 'update' },
});

/**
 * Forget a host's pinned SSH host key, so the next key it presents is trusted
 * (after a planned reinstall or rekey of the host).
 */
export const cmdbHostKeyResetPermission = createPermission({
  name: 'opsdeck.cmdb.host.hostkey.reset',
  attributes: { action: 'delete' },
});

/**
 * Accept or reject the SSH host key a host offered at first contact: until
 * then opsdeck sends no password to the host.
 */
export const cmdbHostKeyAcceptPermission = createPermission({
  name: 'opsdeck.cmdb.host.hostkey.accept',
  attributes: { action: 'update' },
});

/**
 * Register hosts owned by a group one is not a member of (the owner decides
 * which credentials a host may use).
 */
export const cmdbHostAnyOwnerPermission = createPermission({
  name: 'opsdeck.cmdb.host.owner.any',
  attributes: { action: 'create' },
});

/** List files of the file library, their versions and distributions. */
export const filesFileReadPermission = createPermission({
  name: 'opsdeck.files.file.read',
  attributes: { action: 'read' },
});

/** Upload files (new files and new versions) to the file library. */
export const filesFileUploadPermission = createPermission({
  name: 'opsdeck.files.file.upload',
  attributes: { action: 'create' },
});

/** Delete file versions from the file library (audited). */
export const filesFileDeletePermission = createPermission({
  name: 'opsdeck.files.file.delete',
  attributes: { action: 'delete' },
});

/** Push a library file to hosts over SSH, and retry a distribution. */
export const filesDistributePermission = createPermission({
  name: 'opsdeck.files.distribute',
  attributes: { action: 'update' },
});

/** See database instances, review rules, SQL changes and their review findings. */
export const sqlInstanceReadPermission = createPermission({
  name: 'opsdeck.sql.instance.read',
  attributes: { action: 'read' },
});

/** Submit SQL changes (reviewed automatically, then approved by the instance's approvers). */
export const sqlChangeCreatePermission = createPermission({
  name: 'opsdeck.sql.change.create',
  attributes: { action: 'create' },
});

/** Approve or reject SQL changes (also requires membership of the instance's approver group). */
export const sqlChangeApprovePermission = createPermission({
  name: 'opsdeck.sql.change.approve',
  attributes: { action: 'update' },
});

/** Execute approved SQL changes and roll them back. */
export const sqlChangeExecutePermission = createPermission({
  name: 'opsdeck.sql.change.execute',
  attributes: { action: 'update' },
});

/** Run read-only queries in the query console (masked; the instance may restrict users further). */
export const sqlQueryPermission = createPermission({
  name: 'opsdeck.sql.query',
  attributes: { action: 'read' },
});

/** Read the query log (who queried what, where). */
export const sqlQueryLogReadPermission = createPermission({
  name: 'opsdeck.sql.querylog.read',
  attributes: { action: 'read' },
});

/** Read slow-query reports of database instances. */
export const sqlSlowQueryReadPermission = createPermission({
  name: 'opsdeck.sql.slowquery.read',
  attributes: { action: 'read' },
});

/**
 * Review SQL against an instance (reads its catalog and EXPLAINs on the
 * live database with the read credential). Reading changes and their
 * findings needs only opsdeck.sql.instance.read.
 */
export const sqlReviewPermission = createPermission({
  name: 'opsdeck.sql.review',
  attributes: {},
});

/** See masked data in clear: console results and exports, change backups, rollback SQL, errors. */
export const sqlDataUnmaskPermission = createPermission({
  name: 'opsdeck.sql.data.unmask',
  attributes: { action: 'read' },
});

/** Make an instance an exception whose console and review may use a privileged read credential. */
export const sqlInstanceExceptionPermission = createPermission({
  name: 'opsdeck.sql.instance.exception',
  attributes: { action: 'update' },
});

/**
 * See tickets (requests, approvals, comments, history): "My requests",
 * "Waiting for me" and "All tickets".
 */
export const ticketReadPermission = createPermission({
  name: 'opsdeck.tickets.ticket.read',
  attributes: { action: 'read' },
});

/**
 * Approve or reject a ticket. The tickets backend also requires the caller
 * to be one of the current approvers and not the requester; at a
 * confirmation step (`opsdeck:ticket:confirm`) only the named confirmer,
 * who may be the requester.
 */
export const ticketDecidePermission = createPermission({
  name: 'opsdeck.tickets.ticket.decide',
  attributes: { action: 'update' },
});

/** Comment on a ticket. */
export const ticketCommentPermission = createPermission({
  name: 'opsdeck.tickets.ticket.comment',
  attributes: { action: 'create' },
});

/**
 * Open a terminal session through the bastion. The session also needs an access grant that
 * matches the host, and the MFA step-up where the host's environment requires it.
 */
export const bastionSessionOpenPermission = createPermission({
  name: 'opsdeck.bastion.session.open',
  attributes: { action: 'update' },
});

/** See every bastion session (own sessions are always visible), replay them, search commands. */
export const bastionSessionReadPermission = createPermission({
  name: 'opsdeck.bastion.session.read',
  attributes: { action: 'read' },
});

/** Watch other people's live sessions and terminate them. */
export const bastionSessionManagePermission = createPermission({
  name: 'opsdeck.bastion.session.manage',
  attributes: { action: 'update' },
});

/** List bastion access grants and command rules. */
export const bastionGrantReadPermission = createPermission({
  name: 'opsdeck.bastion.grant.read',
  attributes: { action: 'read' },
});

/** Create and revoke bastion access grants and command rules. */
export const bastionGrantManagePermission = createPermission({
  name: 'opsdeck.bastion.grant.manage',
  attributes: { action: 'update' },
});

/**
 * Approve or deny bastion commands held by a `review` rule (never one's own), and see the
 * requests waiting.
 */
export const bastionCommandReviewPermission = createPermission({
  name: 'opsdeck.bastion.command.review',
  attributes: { action: 'update' },
});

/** Reset another user's bastion TOTP enrolment, so that they enrol again before their next session. */
export const bastionMfaResetPermission = createPermission({
  name: 'opsdeck.bastion.mfa.reset',
  attributes: { action: 'update' },
});

/** See jobs (saved scripts, versions), their runs with per-host output, and schedules. */
export const jobsReadPermission = createPermission({
  name: 'opsdeck.jobs.job.read',
  attributes: { action: 'read' },
});

/**
 * See ad-hoc commands that others ran: such a run, the script typed and its
 * output (the text of a command may hold sensitive arguments). Everyone with
 * {@link jobsReadPermission} sees their own ad-hoc runs; others' are left out
 * of run lists and answered 404 without this permission.
 */
export const jobsAdhocReadPermission = createPermission({
  name: 'opsdeck.jobs.adhoc.read',
  attributes: { action: 'read' },
});

/** Create, change and delete jobs and their schedules. */
export const jobsManagePermission = createPermission({
  name: 'opsdeck.jobs.job.manage',
  attributes: { action: 'update' },
});

/**
 * Run a job on a host (checked per host entity: run now, re-run, schedule
 * creation) and cancel runs.
 */
export const jobsRunPermission = createPermission({
  name: 'opsdeck.jobs.run',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * Run a job on a production host (environment `prod`), on top of
 * {@link jobsRunPermission}: checked per prod host entity for runs, re-runs,
 * cancels, schedule approvals and at every tick of a schedule (as its owner).
 */
export const jobsRunProdPermission = createPermission({
  name: 'opsdeck.jobs.run.prod',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

// --- weekly tech report (plugins/report-backend) -----------------------------

/** Read weekly reports (every scope), their figures and the records they count; get a feed link. */
export const reportReadPermission = createPermission({
  name: 'opsdeck.report.read',
  attributes: { action: 'read' },
});

/**
 * Write the highlights of a draft report and send it early. Team reports
 * also require membership of the team (see report.manage).
 */
export const reportEditPermission = createPermission({
  name: 'opsdeck.report.edit',
  attributes: { action: 'update' },
});

/** Edit any team's report, and generate a past week's reports on demand. */
export const reportManagePermission = createPermission({
  name: 'opsdeck.report.manage',
  attributes: { action: 'update' },
});

/** Every permission that opsdeck's own plugins define. */
export const opsdeckPermissions = [
  jobsReadPermission,
  jobsAdhocReadPermission,
  jobsManagePermission,
  jobsRunPermission,
  jobsRunProdPermission,
  bastionSessionOpenPermission,
  bastionSessionReadPermission,
  bastionSessionManagePermission,
  bastionGrantReadPermission,
  bastionGrantManagePermission,
  bastionCommandReviewPermission,
  bastionMfaResetPermission,
  auditEventReadPermission,
  schedulerManagePermission,
  localAccountManagePermission,
  localAccountReadPermission,
  localAccountChangeOwnPasswordPermission,
  vaultCredentialReadPermission,
  vaultCredentialManagePermission,
  cmdbHostReadPermission,
  cmdbHostCreatePermission,
  cmdbHostDeletePermission,
  cmdbHostCollectPermission,
  cmdbHostKeyResetPermission,
  cmdbHostKeyAcceptPermission,
  cmdbHostAnyOwnerPermission,
  ticketReadPermission,
  ticketDecidePermission,
  ticketCommentPermission,
  filesFileReadPermission,
  filesFileUploadPermission,
  filesFileDeletePermission,
  filesDistributePermission,
  sqlInstanceReadPermission,
  sqlChangeCreatePermission,
  sqlChangeApprovePermission,
  sqlChangeExecutePermission,
  sqlQueryPermission,
  sqlQueryLogReadPermission,
  sqlSlowQueryReadPermission,
  sqlReviewPermission,
  sqlDataUnmaskPermission,
  sqlInstanceExceptionPermission,
  reportReadPermission,
  reportEditPermission,
  reportManagePermission,
  ...deliveryPermissions,
];

/** Names start with this prefix for every opsdeck permission; the policy denies them by default. */
export const OPSDECK_PERMISSION_PREFIX = 'opsdeck.';
