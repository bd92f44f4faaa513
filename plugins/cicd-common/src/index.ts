/**
 * Types of opsdeck's CI/CD plugin shared by its frontend and backend.
 *
 * @packageDocumentation
 */
export * from './model';
