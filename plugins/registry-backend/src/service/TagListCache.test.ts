import { pageOfTags } from '../client/pageOfTags';
import { TagListCache } from './TagListCache';

describe('TagListCache', () => {
  const key = (repository: string, credential?: string) =>
    TagListCache.key({
      ref: 'resource:default/local',
      url: 'http://127.0.0.1:5000/',
      credential,
      repository,
    });

  it('keeps a list until it expires', () => {
    let now = 1000;
    const cache = new TagListCache({ ttlMs: 10_000, now: () => now });
    cache.set(key('a'), 'http://127.0.0.1:5000/', 'a', ['v1', 'v2']);
    expect(cache.get(key('a'))).toEqual(['v1', 'v2']);
    expect(cache.get(key('a', 'login'))).toBeUndefined();
    now += 9_999;
    expect(cache.get(key('a'))).toEqual(['v1', 'v2']);
    now += 1;
    expect(cache.get(key('a'))).toBeUndefined();
  });

  it('keeps nothing when off', () => {
    const cache = new TagListCache({ ttlMs: 0 });
    cache.set(key('a'), 'http://127.0.0.1:5000/', 'a', ['v1']);
    expect(cache.get(key('a'))).toBeUndefined();
  });

  it('drops the oldest repository beyond its size', () => {
    const cache = new TagListCache({ ttlMs: 10_000, maxEntries: 2 });
    for (const repo of ['a', 'b', 'c']) {
      cache.set(key(repo), 'http://127.0.0.1:5000/', repo, [repo]);
    }
    expect(cache.get(key('a'))).toBeUndefined();
    expect(cache.get(key('b'))).toEqual(['b']);
    expect(cache.get(key('c'))).toEqual(['c']);
  });

  it('drops a repository under every resource and login of its registry', () => {
    const cache = new TagListCache({ ttlMs: 10_000 });
    const url = 'http://127.0.0.1:5000/';
    cache.set(key('a'), url, 'a', ['v1']);
    cache.set(key('a', 'login'), url, 'a', ['v1']);
    cache.set(key('b'), url, 'b', ['v1']);
    cache.invalidate(url, 'a');
    expect(cache.get(key('a'))).toBeUndefined();
    expect(cache.get(key('a', 'login'))).toBeUndefined();
    expect(cache.get(key('b'))).toEqual(['v1']);
  });
});

describe('pageOfTags', () => {
  const tags = ['a1', 'a2', 'a3', 'b', 'v1'];
  it('pages a sorted list after `last`, as the registry does', () => {
    expect(pageOfTags(tags, 2)).toEqual({ items: ['a1', 'a2'], next: 'a2' });
    expect(pageOfTags(tags, 2, 'a2')).toEqual({
      items: ['a3', 'b'],
      next: 'b',
    });
    expect(pageOfTags(tags, 2, 'b')).toEqual({
      items: ['v1'],
      next: undefined,
    });
    // `last` need not be a tag of the list
    expect(pageOfTags(tags, 3, 'a25')).toEqual({
      items: ['a3', 'b', 'v1'],
      next: undefined,
    });
    expect(pageOfTags(tags, 2, 'z')).toEqual({ items: [], next: undefined });
  });
});
