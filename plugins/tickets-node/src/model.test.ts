import {
  ApprovalAlreadyUsedError,
  ApprovalExpiredError,
  ApprovalMismatchError,
  ApprovalNotApprovedError,
  claimError,
} from './errors';
import { canonicalJson, changeDigest } from './model';

describe('change digests', () => {
  it('are the same whatever order the keys were built in, at every depth', () => {
    const a = { b: 1, a: { d: [3, { y: 1, x: 2 }], c: 'x' } };
    const b = { a: { c: 'x', d: [3, { x: 2, y: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(
      '{"a":{"c":"x","d":[3,{"x":2,"y":1}]},"b":1}',
    );
    expect(changeDigest(a)).toBe(changeDigest(b));
    expect(changeDigest(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differ for another value, another array order or another type', () => {
    const base = { replicas: 3, hosts: ['a', 'b'] };
    expect(changeDigest(base)).not.toBe(changeDigest({ ...base, replicas: 5 }));
    expect(changeDigest(base)).not.toBe(
      changeDigest({ ...base, hosts: ['b', 'a'] }),
    );
    expect(changeDigest(base)).not.toBe(
      changeDigest({ ...base, replicas: '3' }),
    );
  });

  it('refuse numbers JSON cannot hold', () => {
    expect(() => changeDigest({ replicas: Infinity })).toThrow(TypeError);
  });
});

describe('claim errors', () => {
  it('map each refusal to its typed error and status', () => {
    const cases: Array<[Parameters<typeof claimError>[0], Function, number]> = [
      ['not-found', ApprovalNotApprovedError, 403],
      ['not-approved', ApprovalNotApprovedError, 403],
      ['mismatch', ApprovalMismatchError, 403],
      ['not-requester', ApprovalMismatchError, 403],
      ['used', ApprovalAlreadyUsedError, 409],
      ['expired', ApprovalExpiredError, 409],
    ];
    for (const [reason, type, status] of cases) {
      const error = claimError(reason, 'why');
      expect(error).toBeInstanceOf(type);
      expect([reason, error.statusCode, error.reason]).toEqual([
        reason,
        status,
        reason,
      ]);
    }
  });
});
