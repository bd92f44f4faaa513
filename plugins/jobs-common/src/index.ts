/**
 * Types of opsdeck's jobs API: the backend's domain model re-exports them
 * and the generated client (plugins/jobs) imports them, so each shape has
 * one definition.
 *
 * @packageDocumentation
 */
export * from './model';
