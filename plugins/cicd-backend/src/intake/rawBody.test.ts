import { deflateSync, gzipSync } from 'node:zlib';
import { decodeBody } from './rawBody';

describe('decodeBody', () => {
  const json = Buffer.from('{"a":1}');

  it('passes identity through and decompresses gzip and deflate', async () => {
    expect(await decodeBody(json, undefined, 100)).toBe(json);
    expect(await decodeBody(json, 'identity', 100)).toBe(json);
    expect(await decodeBody(gzipSync(json), 'gzip', 100)).toEqual(json);
    expect(await decodeBody(deflateSync(json), ' Deflate ', 100)).toEqual(json);
  });

  it('refuses a decompressed size over the cap (413), broken data (400) and other encodings (415)', async () => {
    const bomb = gzipSync(Buffer.alloc(1 << 20));
    await expect(decodeBody(bomb, 'gzip', 1000)).rejects.toMatchObject({
      status: 413,
      name: 'PayloadTooLargeError',
    });
    await expect(
      decodeBody(Buffer.from('not gzip'), 'gzip', 1000),
    ).rejects.toMatchObject({ name: 'InputError' });
    await expect(decodeBody(json, 'br', 1000)).rejects.toMatchObject({
      status: 415,
    });
    await expect(decodeBody(json, 'gzip, gzip', 1000)).rejects.toMatchObject({
      status: 415,
    });
  });
});
