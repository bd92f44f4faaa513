/**
 * The opsdeck Audit page (new frontend system).
 *
 * @packageDocumentation
 */
export { auditPlugin as default } from './plugin';
export { auditTranslationRef } from './translation/translation';
export { AuditClient } from './api';
