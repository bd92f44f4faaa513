/**
 * opsdeck monitoring backend plugin (/api/monitoring): Prometheus HTTP
 * service discovery from the catalog and the alert router.
 *
 * @packageDocumentation
 */
export { monitoringPlugin as default } from './plugin';
