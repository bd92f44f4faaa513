import {
  isRepositoryName,
  namesImageRepository,
  parseImageRepositories,
} from './imageRepositories';

describe('parseImageRepositories', () => {
  it('takes full registry refs followed by repository paths, trimmed and comma-separated', () => {
    expect(
      parseImageRepositories(
        ' resource:default/harbor/shop/web ,Resource:Team-A/Demo.Registry/app',
      ),
    ).toEqual({
      links: [
        { registry: 'resource:default/harbor', repository: 'shop/web' },
        { registry: 'resource:team-a/demo.registry', repository: 'app' },
      ],
      problems: [],
    });
  });

  it('has nothing for an absent value', () => {
    expect(parseImageRepositories(undefined)).toEqual({
      links: [],
      problems: [],
    });
  });

  it('reports every entry that does not fit, with its reason, and keeps the good ones', () => {
    expect(
      parseImageRepositories(
        [
          'harbor/shop/web', // no kind: where would the ref end?
          'resource:harbor/shop', // no namespace: harbor/shop is the ref alone
          'component:default/harbor/shop/web', // not a resource
          'resource:default/harbor/Shop/Web', // upper case repository
          'resource:default/harbor/shop//web',
          'resource:default/harbor/shop/web',
          'RESOURCE:default/HARBOR/shop/web', // the same link again
          '',
          'resource:default/harbor/shop/api',
        ].join(','),
      ),
    ).toEqual({
      links: [
        { registry: 'resource:default/harbor', repository: 'shop/web' },
        { registry: 'resource:default/harbor', repository: 'shop/api' },
      ],
      problems: [
        { entry: 'harbor/shop/web', reason: 'registry' },
        { entry: 'resource:harbor/shop', reason: 'registry' },
        { entry: 'component:default/harbor/shop/web', reason: 'registry' },
        { entry: 'resource:default/harbor/Shop/Web', reason: 'repository' },
        { entry: 'resource:default/harbor/shop//web', reason: 'repository' },
        { entry: 'RESOURCE:default/HARBOR/shop/web', reason: 'duplicate' },
        { entry: '', reason: 'empty' },
      ],
    });
  });

  it('refuses a blank value and a trailing comma instead of ignoring them', () => {
    expect(parseImageRepositories('  ').problems).toEqual([
      { entry: '', reason: 'empty' },
    ]);
    expect(
      parseImageRepositories('resource:default/harbor/shop/web,').problems,
    ).toEqual([{ entry: '', reason: 'empty' }]);
  });

  it('keeps to the OCI repository grammar and its length limit', () => {
    expect(isRepositoryName('a/b-c/d__e.f')).toBe(true);
    expect(isRepositoryName('a'.repeat(255))).toBe(true);
    expect(isRepositoryName('a'.repeat(256))).toBe(false);
    expect(isRepositoryName('-a')).toBe(false);
    expect(isRepositoryName('a/')).toBe(false);
    expect(isRepositoryName('a b')).toBe(false);
  });

  it('says whether a value names a registry repository, the ref compared without case', () => {
    const value = 'resource:default/harbor/shop/web, bad';
    expect(
      namesImageRepository(value, 'resource:default/Harbor', 'shop/web'),
    ).toBe(true);
    expect(namesImageRepository(value, 'resource:default/harbor', 'shop')).toBe(
      false,
    );
    expect(
      namesImageRepository(value, 'resource:default/other', 'shop/web'),
    ).toBe(false);
    expect(
      namesImageRepository(undefined, 'resource:default/harbor', 'shop/web'),
    ).toBe(false);
  });
});
