/**
 * opsdeck's shared frontend pieces: import from
 * `@opsdeck/plugin-opsdeck-common/react` (never from the package root, which
 * backends import too).
 *
 * @packageDocumentation
 */
export { NotAllowed, useNotAllowedReason } from './NotAllowed';
export type { NotAllowedProps } from './NotAllowed';
export {
  RequireAnyPermission,
  forbiddenPermissionName,
  useAllowed,
} from './RequirePermission';
export type { RequireAnyPermissionProps } from './RequirePermission';
export { opsdeckReactTranslationRef } from './translation';
