import { parseImageRef, pinnedImage } from './imageRef';

const D = `sha256:${'3f1c'.repeat(16)}`;

describe('pinnable image references', () => {
  it('parses a tag, a digest, or both', () => {
    expect(parseImageRef('registry.example.com/shop/api:1.9.0')).toEqual({
      registry: 'registry.example.com',
      repository: 'shop/api',
      tag: '1.9.0',
    });
    expect(parseImageRef(`127.0.0.1:5000/shop/api@${D}`)).toEqual({
      registry: '127.0.0.1:5000',
      repository: 'shop/api',
      digest: D,
    });
    expect(parseImageRef(`nginx:1.27@${D}`)).toEqual({
      registry: 'docker.io',
      repository: 'library/nginx',
      tag: '1.27',
      digest: D,
    });
  });

  it('refuses what pins nothing or does not parse', () => {
    for (const bad of [
      '',
      'registry.example.com/shop/api',
      '127.0.0.1:5000/shop/api',
      'registry.example.com/shop/api:',
      'registry.example.com/shop/api@sha256:abc',
      `registry.example.com/shop/api@md5:${'a'.repeat(32)}`,
      'registry.example.com/Shop/api:1',
      'registry.example.com/shop/api:1.0 ',
      'registry.example.com/shop/api:1.0\n--privileged',
      'registry.example.com/shop/../api:1',
      `registry.example.com/shop/api:${'x'.repeat(129)}`,
      'https://registry.example.com/shop/api:1',
      '-v /:/host:1',
      'registry.example.com/shop/api:1\u0000',
      'registry.example.com/sh\u0007op/api:1',
    ]) {
      expect([bad, parseImageRef(bad)]).toEqual([bad, undefined]);
    }
  });

  it('pins as registry/repository@digest', () => {
    expect(
      pinnedImage({
        registry: 'docker.io',
        repository: 'library/nginx',
        digest: D,
      }),
    ).toBe(`docker.io/library/nginx@${D}`);
  });
});
