/**
 * Change approvals through tickets for opsdeck's backend plugins.
 *
 * @packageDocumentation
 */
export * from './model';
export * from './errors';
export * from './ChangeApprovalsClient';
export * from './service';
export * from './claimRules';
export * from './edge';
