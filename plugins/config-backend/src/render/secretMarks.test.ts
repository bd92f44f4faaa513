import crypto from 'node:crypto';
import { EDITED_MASK, maskDrift, maskMarked, secretMarks } from './secretMarks';

describe('secret marks of the drift baseline', () => {
  it('keep no secret, and find each pushed secret wherever it stands', () => {
    const marks = secretMarks(['hunter2', 'pw', '']);
    expect(marks).toHaveLength(2);
    expect(JSON.stringify(marks)).not.toContain('hunter2');
    // salted: the same secret marked twice gives other hashes
    expect(secretMarks(['hunter2'])[0].sha256).not.toBe(
      secretMarks(['hunter2'])[0].sha256,
    );
    expect(maskMarked('a hunter2 b\nhunter2hunter2 pwx', marks)).toBe(
      'a •••• b\n•••••••• ••••x',
    );
    expect(maskMarked('hunter3', marks)).toBe('hunter3');
    expect(maskMarked('hunter2', marks)).toBe('••••');
    // a baseline's marks from before the fingerprint: every span hashed
    const old = marks.map(({ roll: _roll, ...m }) => m);
    expect(maskMarked('a hunter2 b pw', old)).toBe('a •••• b ••••');
  });

  it('shows an edit where a secret stood without the value typed there', () => {
    const marks = secretMarks(['hunter2']);
    const baseline = 'port 1\nrequirepass ••••\n••••\n';
    expect(
      maskDrift(
        'port 2\nrequirepass typed-by-hand\n# old hunter2\nplain\n',
        baseline,
        marks,
      ),
    ).toBe(`port 2\nrequirepass ${EDITED_MASK}\n# old ••••\nplain\n`);
    // unchanged secret lines stay as the baseline shows them
    expect(
      maskDrift('port 1\nrequirepass hunter2\nhunter2\n', baseline, marks),
    ).toBe(baseline);
  });

  // a hostile host's live file (up to the 1 MiB read cap) must not make the
  // backend hash every span of it once per pushed secret (about a second of
  // blocked event loop per secret and MiB, each drift check and preview):
  // a cheap fingerprint finds the candidates, sha256 only confirms them
  it('hashes only the spans that may be a secret, not every offset', () => {
    const secrets = ['S3cret-Value-123', 'hunter2', 'Another-0ne'];
    const marks = secretMarks(secrets);
    const live = `${'x'.repeat(100_000)} hunter2 ${'y'.repeat(100_000)}${
      secrets[0]
    }\n${'hunter'.repeat(20_000)}Another-0ne`;
    const spy = jest.spyOn(crypto, 'createHash');
    try {
      const masked = maskMarked(live, marks);
      expect(masked).toBe(
        `${'x'.repeat(100_000)} •••• ${'y'.repeat(
          100_000,
        )}••••\n${'hunter'.repeat(20_000)}••••`,
      );
      expect(spy.mock.calls.length).toBeLessThan(100);
    } finally {
      spy.mockRestore();
    }
  });
});
