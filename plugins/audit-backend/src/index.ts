/**
 * The opsdeck audit log: the `audit` backend plugin (read-only API of the
 * persisted log) and the auditor service factory that fills it.
 *
 * @packageDocumentation
 */
export { auditPlugin as default } from './plugin';
export {
  opsdeckAuditorServiceFactory,
  OpsdeckAuditorService,
  DEFAULT_MIN_SEVERITY,
} from './auditor/opsdeckAuditorServiceFactory';
