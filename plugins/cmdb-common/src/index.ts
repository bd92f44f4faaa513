/**
 * Types and validation rules of opsdeck's CMDB API (`/api/cmdb`), shared by
 * the cmdb backend and its frontend.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './validation';
export * from './hosts';
