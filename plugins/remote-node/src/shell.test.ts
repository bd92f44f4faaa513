import { execFileSync } from 'node:child_process';
import { shellQuote, withEnvPrefix } from './shell';
import {
  hostKeyFingerprint,
  hostKeyId,
  InMemoryHostKeyStore,
} from './hostKeys';

describe('shellQuote', () => {
  it.each([
    `plain`,
    `'$(touch /tmp/x); "quoted" ;|&'`,
    `it's`,
    `back\`tick\` $HOME \\ \n newline`,
    ``,
  ])('round-trips %p through sh', value => {
    const out = execFileSync('sh', ['-c', `printf %s ${shellQuote(value)}`], {
      encoding: 'utf8',
    });
    expect(out).toBe(value);
  });

  it('rejects NUL bytes and bad variable names', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
    expect(() => withEnvPrefix('true', { 'A B': 'x' })).toThrow(/Invalid/);
  });

  it('exports env values verbatim', () => {
    const cmd = withEnvPrefix('printf "%s|%s" "$A" "$B_2"', {
      A: `'$(id)'`,
      B_2: 'two words',
    });
    expect(execFileSync('sh', ['-c', cmd], { encoding: 'utf8' })).toBe(
      `'$(id)'|two words`,
    );
  });
});

describe('host keys', () => {
  it('formats ids like known_hosts and fingerprints like ssh-keygen', () => {
    expect(hostKeyId('Example.COM', 22)).toBe('example.com');
    expect(hostKeyId('192.0.2.1', 2222)).toBe('[192.0.2.1]:2222');
    expect(hostKeyFingerprint(Buffer.from('abc'))).toBe(
      'SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0',
    );
  });

  it('pins only the first fingerprint', async () => {
    const store = new InMemoryHostKeyStore();
    expect(await store.pin('h', 'SHA256:a')).toBe('SHA256:a');
    expect(await store.pin('h', 'SHA256:b')).toBe('SHA256:a');
    await store.remove('h');
    expect(await store.pin('h', 'SHA256:b')).toBe('SHA256:b');
  });
});
