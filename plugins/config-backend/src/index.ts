/**
 * opsdeck's configuration management backend (/api/config).
 *
 * @packageDocumentation
 */
export { configPlugin as default } from './plugin';
