/**
 * Types of opsdeck's sql API: the backend's domain model re-exports them
 * and the generated client (plugins/sql) imports them, so each shape has
 * one definition.
 *
 * @packageDocumentation
 */
export * from './model';
