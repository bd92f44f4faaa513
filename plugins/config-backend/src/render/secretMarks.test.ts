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
});
