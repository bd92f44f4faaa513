/**
 * opsdeck configuration management in the portal.
 *
 * @packageDocumentation
 */
export {};
