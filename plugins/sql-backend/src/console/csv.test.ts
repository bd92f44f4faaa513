import { toCsv } from './csv';

describe('toCsv', () => {
  it('quotes only the fields that need it and ends lines with CRLF', () => {
    expect(
      toCsv(
        ['id', 'note', 'phone'],
        [
          ['1', 'plain', '138****0001'],
          ['2', 'a, b', null],
          ['3', 'say "hi"\nbye', 'x\ry'],
        ],
      ),
    ).toBe(
      'id,note,phone\r\n' +
        '1,plain,138****0001\r\n' +
        '2,"a, b",\r\n' +
        '3,"say ""hi""\nbye","x\ry"\r\n',
    );
  });

  it('writes a header for an empty result', () => {
    expect(toCsv(['a "b"'], [])).toBe('"a ""b"""\r\n');
  });
});
