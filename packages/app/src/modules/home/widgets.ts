import {
  auditEventReadPermission,
  bastionSessionOpenPermission,
  cmdbHostReadPermission,
  jobsReadPermission,
  monitoringAlertReadPermission,
  sqlChangeApprovePermission,
  ticketReadPermission,
} from '@opsdeck/plugin-opsdeck-common';

/** Every permission a workbench card may need (checked once per page). */
export const WORKBENCH_PERMISSIONS = {
  tickets: ticketReadPermission,
  sqlApprove: sqlChangeApprovePermission,
  terminals: bastionSessionOpenPermission,
  jobs: jobsReadPermission,
  hosts: cmdbHostReadPermission,
  audit: auditEventReadPermission,
  alerts: monitoringAlertReadPermission,
};

export type WorkbenchPermission = keyof typeof WORKBENCH_PERMISSIONS;

/**
 * The workbench cards: the widget name (as in app-config's page:home
 * defaultConfig), its title key and the permissions of which one is enough to
 * show it. A card the person may not read is not offered at all.
 */
export const WORKBENCH_CARDS: {
  name: string;
  title:
    | 'approvals.title'
    | 'access.title'
    | 'jobs.title'
    | 'tickets.title'
    | 'unreachable.title'
    | 'prod.title'
    | 'alerts.title';
  anyOf: WorkbenchPermission[];
}[] = [
  {
    name: 'WorkbenchApprovals',
    title: 'approvals.title',
    anyOf: ['tickets', 'sqlApprove'],
  },
  { name: 'WorkbenchAccess', title: 'access.title', anyOf: ['terminals'] },
  { name: 'WorkbenchJobs', title: 'jobs.title', anyOf: ['jobs'] },
  { name: 'WorkbenchTickets', title: 'tickets.title', anyOf: ['tickets'] },
  {
    name: 'WorkbenchUnreachable',
    title: 'unreachable.title',
    anyOf: ['hosts'],
  },
  { name: 'WorkbenchProdChanges', title: 'prod.title', anyOf: ['audit'] },
  { name: 'WorkbenchAlerts', title: 'alerts.title', anyOf: ['alerts'] },
];

/** Which cards a person with these permissions sees (others are left out). */
export function visibleCardNames(
  allowed: Record<WorkbenchPermission, boolean>,
): Set<string> {
  return new Set(
    WORKBENCH_CARDS.filter(card => card.anyOf.some(p => allowed[p])).map(
      card => card.name,
    ),
  );
}
