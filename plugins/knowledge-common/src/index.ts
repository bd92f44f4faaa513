/**
 * Runbooks of catalog entities (opsdeck's knowledge base): which entities'
 * TechDocs hold an entity's runbooks, and the links to them. Used by the
 * runbooks card and by anything that links an alert or a report to a
 * runbook.
 *
 * @packageDocumentation
 */
export * from './runbooks';
