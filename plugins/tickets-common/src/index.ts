/**
 * Types of opsdeck's tickets API: the backend's domain model re-exports them
 * and the generated client (plugins/tickets) imports them, so each shape has
 * one definition.
 *
 * @packageDocumentation
 */
export * from './model';
