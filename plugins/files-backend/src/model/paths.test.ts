import {
  parseFileMode,
  resolveTargetPath,
  validateFileName,
  validateFileOwner,
} from './paths';

describe('validateFileName', () => {
  it('accepts ordinary names', () => {
    expect(validateFileName('app-1.2.tar.gz')).toBe('app-1.2.tar.gz');
    expect(validateFileName('配置.yaml')).toBe('配置.yaml');
  });

  it.each([
    ['', /must not be empty/],
    ['..', /not allowed/],
    ['.', /not allowed/],
    ['../etc/passwd', /must not contain '\/'/],
    ['/etc/passwd', /must not contain '\/'/],
    ['a\\b', /must not contain/],
    ['a\u0000b', /NUL byte/],
    ['a\nb', /control character \(0x0a\)/],
    ['a\u007fb', /control character \(0x7f\)/],
    [' lead', /white space/],
    ['x'.repeat(256), /longer than 255 bytes/],
  ])('refuses %j', (name, message) => {
    expect(() => validateFileName(name)).toThrow(message);
  });
});

describe('resolveTargetPath', () => {
  it('keeps a full path and appends the name to a directory', () => {
    expect(resolveTargetPath('/opt/app/app.tgz', 'x')).toBe('/opt/app/app.tgz');
    expect(resolveTargetPath('/opt/app/', 'x.tgz')).toBe('/opt/app/x.tgz');
  });

  it.each([
    ['', /must not be empty/],
    ['opt/app', /must be absolute/],
    ['./opt', /must be absolute/],
    ['/opt/../etc/passwd', /'\.\.' segments/],
    ['/opt/..', /'\.\.' segments/],
    ['/opt/./x', /'\.' segments/],
    ['/opt//x', /empty segments/],
    ['/opt/x\u0000.sh', /NUL byte/],
    ['/opt/x\r', /control character \(0x0d\)/],
    ['/opt\\x', /must not contain/],
  ])('refuses %j', (path, message) => {
    expect(() => resolveTargetPath(path, 'f')).toThrow(message);
  });
});

describe('parseFileMode and validateFileOwner', () => {
  it('parses octal modes', () => {
    expect(parseFileMode('0644')).toBe(0o644);
    expect(parseFileMode('755')).toBe(0o755);
    expect(parseFileMode(undefined)).toBeUndefined();
    expect(() => parseFileMode('rwx')).toThrow(/octal/);
    expect(() => parseFileMode('0999')).toThrow(/octal/);
  });

  it('accepts user:group and refuses shell tricks', () => {
    expect(validateFileOwner('opsdeck:opsdeck')).toBe('opsdeck:opsdeck');
    expect(validateFileOwner(':adm')).toBe(':adm');
    expect(() => validateFileOwner('root; rm -rf /')).toThrow(/plain names/);
    expect(() => validateFileOwner('$(id)')).toThrow(/plain names/);
  });
});
