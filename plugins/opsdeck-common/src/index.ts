/**
 * Types, roles and permissions shared by opsdeck's frontend and backend plugins.
 *
 * @packageDocumentation
 */
export * from './permissions';
export * from './deliveryPermissions';
export * from './roles';
export * from './audit';
export * from './format';
export * from './catalogPath';
export * from './errorCodes';
