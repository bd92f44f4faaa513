import { DEFAULT_MASKING_RULES, Masker } from './masking';

describe('Masker', () => {
  const masker = new Masker([
    ...DEFAULT_MASKING_RULES,
    {
      name: 'card',
      kind: 'regex',
      pattern: '\\b\\d{4}-\\d{4}-\\d{4}-\\d{4}\\b',
      detectInValues: true,
    },
  ]);

  it('masks whole columns by name', () => {
    const { rows, maskedColumns } = masker.apply(
      ['id', 'mobile', 'id_card', 'email'],
      [['1', '13800138000', '11010519491231002X', 'alice@example.com']],
    );
    expect(rows).toEqual([
      ['1', '138****8000', '110***********002X', 'a***@example.com'],
    ]);
    expect(maskedColumns.sort()).toEqual(['email', 'id_card', 'mobile']);
  });

  it('finds values under other names (aliases, free text)', () => {
    const { rows, maskedColumns } = masker.apply(
      ['note', 'x'],
      [
        [
          'call 13912345678 or mail bob@example.org',
          'paid with 1234-5678-9012-3456',
        ],
        [null, 'nothing here 42'],
      ],
    );
    expect(rows[0][0]).toBe('call 139****5678 or mail b***@example.org');
    expect(rows[0][1]).toBe('paid with ********');
    expect(rows[1]).toEqual([null, 'nothing here 42']);
    expect(maskedColumns.sort()).toEqual(['note', 'x']);
  });
});
