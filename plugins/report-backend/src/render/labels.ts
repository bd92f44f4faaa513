import type {
  ReportFigureKey,
  ReportSection,
} from '@opsdeck/plugin-report-common';

/** Figure names in the mail and the feed, English and Simplified Chinese. */
export const FIGURE_LABELS: Record<ReportFigureKey, [string, string]> = {
  'sql.executed': ['SQL changes executed', 'SQL 变更执行'],
  'sql.failed': ['SQL changes failed', 'SQL 变更失败'],
  'sql.rolledBack': ['SQL changes rolled back', 'SQL 变更回滚'],
  'jobs.runs': ['Job runs', '作业执行'],
  'jobs.failed': ['Job runs failed', '作业执行失败'],
  'files.distributions': ['File distributions', '文件分发'],
  'files.failed': ['File distributions failed', '文件分发失败'],
  'hosts.registered': ['Hosts registered', '主机上线'],
  'hosts.decommissioned': ['Hosts decommissioned', '主机下线'],
  'bastion.prodSessions': ['Bastion sessions on prod', '生产环境堡垒机会话'],
  'bastion.grants': ['Access grants created', '新增访问授权'],
  'tickets.opened': ['Tickets opened', '新建工单'],
  'tickets.closed': ['Tickets closed', '关闭工单'],
  'docs.new': ['New docs', '新增文档'],
  'docs.updated': ['Updated docs', '更新文档'],
};

export const SECTION_LABELS: Record<ReportSection, [string, string]> = {
  changes: ['Changes', '变更'],
  access: ['Access to prod', '生产环境访问'],
  tickets: ['Tickets', '工单'],
  docs: ['Docs', '文档'],
  alerts: ['Alerts', '告警'],
  builds: ['Failed builds', '失败的构建'],
};

export const NOT_CONNECTED: [string, string] = [
  'not connected in this installation',
  '本环境未接入',
];
