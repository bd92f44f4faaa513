import { parseJobAnnotation, parseJobRef } from './jobRef';

describe('job references', () => {
  it('reads several instances, folders and branches', () => {
    expect(
      parseJobAnnotation(
        'shop/web, legacy:billing ,main:shop/api/feature%2Flogin,shop/web',
        'main',
      ),
    ).toEqual([
      { instance: 'main', path: 'shop/web' },
      { instance: 'legacy', path: 'billing' },
      { instance: 'main', path: 'shop/api/feature%2Flogin' },
    ]);
    expect(parseJobAnnotation(undefined, 'main')).toEqual([]);
  });

  it.each([
    'main:shop/../admin',
    'main:./x',
    'main:shop//web',
    'Main Instance:job',
    'main:a?b',
    'main:a#b',
    'main:a\u0000b',
    'main:',
    `main:${'a/'.repeat(25)}b`,
  ])('refuses %j', value => {
    expect(() => parseJobRef(value, 'main')).toThrow(/Invalid Jenkins/);
  });
});
