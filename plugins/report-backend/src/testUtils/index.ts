/**
 * Test kit of the weekly report: `@opsdeck/plugin-report-backend/testUtils`.
 *
 * The report's parts as plugin.ts wires them, a seeded week of audit events with the counts SQL
 * expects, and a real SMTP server, for tests that run the report beside other plugins (the
 * end-to-end report test in packages/backend runs it against the jobs plugin's API).
 *
 * @packageDocumentation
 */
export { readReportConfig } from '../config';
export { DatabaseReportStore } from '../database/DatabaseReportStore';
export { ReportGenerator } from '../generate/ReportGenerator';
export { ReportSender } from '../send/ReportSender';
export { smtpTransport } from '../send/smtp';
export { ReportService } from '../service/ReportService';
export { readCatalog, recipientsOf } from '../sources/catalogData';
export { jobsApiReader } from '../sources/jobRuns';
export { weekOf } from '../schedule/period';
export { demoOrgEntities, DEMO_USERS } from './demoOrg';
export { expectedCounter } from './expectedCounts';
export { SEED_HOSTS, seedAuditWeek } from './seedWeek';
export { startSmtpServer, type TestSmtpServer } from './smtp';
