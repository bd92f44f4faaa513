import { InputError } from '@backstage/errors';
import { createHash, generateKeyPairSync, KeyObject } from 'node:crypto';
import { utils } from 'ssh2';
import { ed25519KeyPair } from '../testUtils/ed25519KeyPair';
import { inspectPrivateKey } from './sshKey';

/** Fingerprint of an `ssh-xxx AAAA... comment` public key line, computed independently. */
function fingerprintOfPublicLine(line: string): string {
  const blob = Buffer.from(line.trim().split(/\s+/)[1], 'base64');
  return `SHA256:${createHash('sha256')
    .update(blob)
    .digest('base64')
    .replace(/=+$/, '')}`;
}

function ssh2Fingerprint(pem: string): string {
  const parsed = utils.parseKey(pem);
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return `SHA256:${createHash('sha256')
    .update(key.getPublicSSH())
    .digest('base64')
    .replace(/=+$/, '')}`;
}

function expectInputError(text: string, message: RegExp) {
  let error: Error | undefined;
  try {
    inspectPrivateKey(text);
  } catch (e) {
    error = e as Error;
  }
  expect(error).toBeInstanceOf(InputError);
  expect(error?.message).toMatch(message);
  // never quotes the submitted text
  const body = text.split('\n').slice(1, -2).join('');
  if (body.length > 8) {
    expect(error?.message).not.toContain(body.slice(0, 16));
  }
}

describe('inspectPrivateKey', () => {
  it('reads OpenSSH keys (ssh2) and fingerprints them like ssh-keygen', () => {
    for (const [type, opts] of [
      ['ed25519', undefined],
      ['ecdsa', { bits: 256 }],
      ['rsa', { bits: 2048 }],
    ] as const) {
      const pair =
        type === 'ed25519'
          ? ed25519KeyPair()
          : utils.generateKeyPairSync(type as any, opts as any);
      const info = inspectPrivateKey(pair.private);
      expect(info.fingerprint).toBe(fingerprintOfPublicLine(pair.public));
      expect(info.algorithm).toBe(pair.public.split(' ')[0]);
      expect(info.normalized).toBe(`${pair.private.trim()}\n`);
    }
  });

  it('reads PEM keys (PKCS#1, SEC1, PKCS#8) with the same fingerprint ssh2 computes', () => {
    const pairs: Array<[string, KeyObject]> = [
      ['rsa', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey],
      [
        'ec',
        generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey,
      ],
      ['ec', generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey],
    ];
    for (const [kind, key] of pairs) {
      const traditional = key.export({
        type: kind === 'rsa' ? 'pkcs1' : 'sec1',
        format: 'pem',
      }) as string;
      const pkcs8 = key.export({ type: 'pkcs8', format: 'pem' }) as string;
      const expected = ssh2Fingerprint(traditional);
      expect(inspectPrivateKey(traditional).fingerprint).toBe(expected);
      // node:crypto path for PKCS#8, which ssh2 can't read
      expect(inspectPrivateKey(pkcs8).fingerprint).toBe(expected);
    }
    const rsa = inspectPrivateKey(
      pairs[0][1].export({ type: 'pkcs8', format: 'pem' }) as string,
    );
    expect(rsa.algorithm).toBe('ssh-rsa');
    expect(
      inspectPrivateKey(
        pairs[1][1].export({ type: 'pkcs8', format: 'pem' }) as string,
      ).algorithm,
    ).toBe('ecdsa-sha2-nistp256');
  });

  it('fingerprints Ed25519 PKCS#8 keys like the OpenSSH public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const raw = (publicKey.export({ format: 'jwk' }) as { x: string }).x;
    const line = `ssh-ed25519 ${Buffer.concat([
      Buffer.from([0, 0, 0, 11]),
      Buffer.from('ssh-ed25519'),
      Buffer.from([0, 0, 0, 32]),
      Buffer.from(raw, 'base64url'),
    ]).toString('base64')}`;
    const info = inspectPrivateKey(pem);
    expect(info.algorithm).toBe('ssh-ed25519');
    expect(info.fingerprint).toBe(fingerprintOfPublicLine(line));
  });

  it('normalizes CRLF line ends and surrounding whitespace', () => {
    const pair = ed25519KeyPair();
    const info = inspectPrivateKey(
      `\n  ${pair.private.trim().replace(/\n/g, '\r\n')}\r\n\r\n`,
    );
    expect(info.normalized).toBe(`${pair.private.trim()}\n`);
  });

  it('rejects what is not an unencrypted private key, with clear messages', () => {
    const openssh = ed25519KeyPair();
    const encrypted = ed25519KeyPair({
      passphrase: 'pass',
      cipher: 'aes256-ctr',
    } as any);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const encryptedPem = rsa.privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'pass',
    }) as string;
    const x25519 = generateKeyPairSync('x25519').privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    const lines = openssh.private.trim().split('\n');
    const truncated = [...lines.slice(0, 3), lines[lines.length - 1]].join(
      '\n',
    );
    const garbled = openssh.private.replace(/[A-Za-z]/, '!');

    expectInputError('hunter2', /could not be read/);
    expectInputError('', /could not be read/);
    expectInputError(openssh.public, /could not be read/);
    expectInputError(
      rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string,
      /could not be read/,
    );
    expectInputError(truncated, /could not be read/);
    expectInputError(garbled, /could not be read/);
    expectInputError(
      openssh.private.replace(/-----END.*$/s, ''),
      /could not be read/,
    );
    expectInputError(encrypted.private, /protected by a passphrase/);
    expectInputError(encryptedPem, /protected by a passphrase/);
    expectInputError(x25519, /not usable for SSH/);
    expectInputError('x'.repeat(20_000), /too long/);
    expect.hasAssertions();
  });
});
