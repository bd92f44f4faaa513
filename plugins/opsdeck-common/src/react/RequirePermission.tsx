import { ReactNode } from 'react';
import {
  BasicPermission,
  Permission,
} from '@backstage/plugin-permission-common';
import { usePermission } from '@backstage/plugin-permission-react';
import { NotAllowed } from './NotAllowed';

/**
 * Whether the user holds a permission, decided by the policy on its name and
 * the user's roles. A resource permission (e.g. opsdeck.jobs.run, decided per
 * host when used) is asked as a basic one: the answer says whether the user
 * may do it at all, which is what a button needs to know.
 */
export function useAllowed(permission: Permission) {
  const basic: BasicPermission = {
    type: 'basic',
    name: permission.name,
    attributes: permission.attributes,
  };
  return usePermission({ permission: basic });
}

/** Props of {@link RequireAnyPermission}. */
export interface RequireAnyPermissionProps {
  /** Shown when the user holds at least one of these (checked in order). */
  permissions: Permission[];
  children: ReactNode;
  /**
   * Shown when the user holds none: `'notAllowed'` (the default) renders
   * {@link NotAllowed} naming the first permission; `null` renders nothing
   * (sidebar entries, buttons).
   */
  fallback?: 'notAllowed' | ReactNode;
}

/**
 * Renders its children only for a user who holds one of the permissions
 * (the policy answers; nothing is shown while it is asked).
 */
export function RequireAnyPermission({
  permissions,
  children,
  fallback = 'notAllowed',
}: RequireAnyPermissionProps) {
  // name the first permission (the one the page is about), whichever is asked last
  const denied =
    fallback === 'notAllowed' ? (
      <NotAllowed permission={permissions[0]} />
    ) : (
      fallback
    );
  return (
    <AnyOf permissions={permissions} denied={denied}>
      {children}
    </AnyOf>
  );
}

function AnyOf(props: {
  permissions: Permission[];
  denied: ReactNode;
  children: ReactNode;
}) {
  const [first, ...rest] = props.permissions;
  const { loading, allowed } = useAllowed(first);
  if (loading) return null;
  if (allowed) return <>{props.children}</>;
  if (rest.length > 0) {
    return (
      <AnyOf permissions={rest} denied={props.denied}>
        {props.children}
      </AnyOf>
    );
  }
  return <>{props.denied}</>;
}

/** The name of the permission a 403 answer names, if its body says. */
export function forbiddenPermissionName(error: unknown): string | undefined {
  const e = error as {
    body?: { error?: { message?: string } };
    message?: string;
  };
  const text = e?.body?.error?.message ?? e?.message ?? '';
  const match = /\bopsdeck\.[a-z0-9.-]+/.exec(text);
  return match?.[0];
}
