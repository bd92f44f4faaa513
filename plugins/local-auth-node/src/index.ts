/**
 * Service API of opsdeck's local accounts (plugin `local-auth`) for other backend plugins.
 *
 * @packageDocumentation
 */
export {
  localAuthServiceRef,
  DefaultLocalAuthService,
  LOCAL_AUTH_SESSION_CLAIM,
} from './service';
export type {
  LocalAuthService,
  SessionLookup,
  SessionRequestInfo,
} from './service';
