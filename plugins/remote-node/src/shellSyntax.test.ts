import { shellSyntaxErrors } from './shellSyntax';

describe('shellSyntaxErrors (tree-sitter-bash)', () => {
  it('finds nothing in scripts that parse', async () => {
    for (const script of [
      'true',
      "df -P / | awk 'NR==2 { print $5+0 }'",
      'if [ -f /etc/hosts ]; then echo 1; else exit 2; fi',
      'for f in a b; do\n  [[ $f == a ]] && echo "$f"\ndone',
      'n=$(ls /tmp | wc -l)\ncase $n in 0) exit 1;; *) echo $n;; esac',
      '',
    ]) {
      expect(await shellSyntaxErrors(script)).toEqual([]);
    }
  });

  it('names where a script does not parse (ERROR and MISSING)', async () => {
    expect(await shellSyntaxErrors('echo ok\nif true; then echo x')).toEqual([
      expect.objectContaining({ line: expect.any(Number) }),
    ]);
    for (const script of [
      'echo "unterminated',
      'for x in; do',
      'echo $(ls',
      'a=(',
      'echo )',
      'case x in',
      '((',
    ]) {
      const errors = await shellSyntaxErrors(script);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.length).toBeLessThanOrEqual(5);
    }
  });
});
