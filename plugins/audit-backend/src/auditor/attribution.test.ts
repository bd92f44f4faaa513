import { mockCredentials } from '@backstage/backend-test-utils';
import { attributeEvent } from './attribution';

const dave = 'user:default/dave';

function onBehalf(user: string, plugin: string) {
  const credentials = mockCredentials.user(user);
  (credentials.principal as any).actor = { type: 'service', subject: plugin };
  return credentials;
}

describe('attributeEvent', () => {
  it.each([
    {
      case: "a user's own request",
      credentials: mockCredentials.user(dave),
      meta: { target: 'x' },
      expected: { actor: dave, via: [], meta: { target: 'x' } },
    },
    {
      case: "a plugin forwarding the user's token",
      credentials: onBehalf(dave, 'plugin:scaffolder'),
      meta: {},
      expected: { actor: dave, via: ['plugin:scaffolder'], meta: {} },
    },
    {
      case: 'a plugin naming the person in meta (bastion session over WebSocket)',
      credentials: mockCredentials.service('plugin:bastion'),
      meta: { actor: dave, sessionId: 's1' },
      expected: {
        actor: dave,
        via: ['plugin:bastion'],
        meta: { sessionId: 's1' },
      },
    },
    {
      case: 'a plugin acting for a person through the on-behalf-of header (template step)',
      credentials: mockCredentials.service('plugin:scaffolder'),
      meta: { grantId: 'g1' },
      onBehalfOf: dave,
      expected: {
        actor: dave,
        via: ['plugin:scaffolder'],
        meta: { grantId: 'g1' },
      },
    },
    {
      case: 'a schedule acting as its owner',
      credentials: mockCredentials.service('plugin:jobs'),
      meta: { actor: 'user:default/bob', via: 'schedule:nightly', runId: 'r1' },
      expected: {
        actor: 'user:default/bob',
        via: ['plugin:jobs', 'schedule:nightly'],
        meta: { runId: 'r1' },
      },
    },
    {
      case: 'a plugin with nobody behind it',
      credentials: mockCredentials.service('plugin:sql'),
      meta: { changeId: 7 },
      expected: { actor: 'plugin:sql', via: [], meta: { changeId: 7 } },
    },
    {
      case: 'a static token cannot name someone else',
      credentials: mockCredentials.service('ci-token'),
      meta: { actor: dave },
      onBehalfOf: dave,
      expected: { actor: 'service:ci-token', via: [], meta: { actor: dave } },
    },
    {
      case: 'a user cannot be re-attributed by meta',
      credentials: mockCredentials.user('user:default/mallory'),
      meta: { actor: dave },
      expected: {
        actor: 'user:default/mallory',
        via: [],
        meta: { actor: dave },
      },
    },
    {
      case: 'a group ref is not a person',
      credentials: mockCredentials.service('plugin:bastion'),
      meta: { actor: 'group:default/ops' },
      expected: {
        actor: 'plugin:bastion',
        via: [],
        meta: { actor: 'group:default/ops' },
      },
    },
    {
      case: 'a sign-in attempt without credentials',
      credentials: mockCredentials.none(),
      meta: { actor: dave, target: dave },
      expected: { actor: dave, via: [], meta: { target: dave } },
    },
    {
      case: 'credentials that could not be read',
      credentials: undefined,
      meta: {},
      expected: { actor: '', via: [], meta: {} },
    },
  ])('$case', ({ credentials, meta, onBehalfOf, expected }) => {
    expect(attributeEvent({ credentials, meta, onBehalfOf })).toEqual(expected);
  });
});
