/**
 * Types of opsdeck monitoring shared by its frontend and backend. Its
 * permissions live with opsdeck's others in @opsdeck/plugin-opsdeck-common.
 *
 * @packageDocumentation
 */
export * from './model';
export * from './onCall';
