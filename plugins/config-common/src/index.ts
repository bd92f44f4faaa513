/**
 * Types of opsdeck's configuration management (config sets, immutable
 * versions, releases and per-host states), shared by plugins/config and
 * plugins/config-backend.
 *
 * @packageDocumentation
 */
export * from './model';
