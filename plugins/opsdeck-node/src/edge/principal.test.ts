import { mockCredentials } from '@backstage/backend-test-utils';
import {
  describePrincipal,
  isUserRef,
  onBehalfOfHeaders,
  principalRef,
} from './principal';

describe('principalRef', () => {
  it('gives one string form for users and services', () => {
    expect(principalRef(mockCredentials.user('user:default/alice'))).toBe(
      'user:default/alice',
    );
    expect(principalRef(mockCredentials.service('plugin:scaffolder'))).toBe(
      'plugin:scaffolder',
    );
    expect(principalRef(mockCredentials.service('external:ci'))).toBe(
      'external:ci',
    );
    // a static token's subject from backend.auth.externalAccess
    expect(principalRef(mockCredentials.service('e2e-ci-jobs'))).toBe(
      'service:e2e-ci-jobs',
    );
    expect(principalRef(mockCredentials.none())).toBe('anonymous');
  });

  it('records the on-behalf-of chain as via', () => {
    const onBehalf = mockCredentials.user('user:default/dave');
    (onBehalf.principal as any).actor = {
      type: 'service',
      subject: 'plugin:scaffolder',
    };
    expect(describePrincipal(onBehalf)).toEqual({
      ref: 'user:default/dave',
      via: ['plugin:scaffolder'],
    });
    expect(describePrincipal(mockCredentials.user())).toEqual({
      ref: 'user:default/mock',
      via: [],
    });
  });
});

describe('onBehalfOfHeaders / isUserRef', () => {
  it('names the person only when there is one', () => {
    expect(onBehalfOfHeaders('user:default/dave')).toEqual({
      'x-opsdeck-on-behalf-of': 'user:default/dave',
    });
    expect(onBehalfOfHeaders(undefined)).toEqual({});
    expect(isUserRef('user:default/dave')).toBe(true);
    expect(isUserRef('group:default/ops')).toBe(false);
    expect(isUserRef('user:dave')).toBe(false);
    expect(isUserRef(42)).toBe(false);
  });
});
