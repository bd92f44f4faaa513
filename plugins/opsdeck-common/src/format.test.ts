import {
  formatDateTime,
  formatNumber,
  formatTime,
  setDisplayLanguage,
} from './format';
import { entityCatalogPath } from './catalogPath';

describe('locale formatting', () => {
  const at = '2026-12-02T22:15:04Z';
  afterEach(() => setDisplayLanguage(undefined));

  it('writes dates, times and numbers in zh-CN when that is the display language', () => {
    setDisplayLanguage('zh-CN');
    expect(formatDateTime(at)).toBe(new Date(at).toLocaleString('zh-CN'));
    expect(formatDateTime(at)).toMatch(/^2026\/12\/\d/);
    expect(formatDateTime(at)).not.toMatch(/AM|PM/);
    expect(formatTime(at)).toBe(new Date(at).toLocaleTimeString('zh-CN'));
    expect(formatNumber(1234567.5)).toBe('1,234,567.5');
  });

  it('writes US English in en', () => {
    setDisplayLanguage('en');
    expect(formatDateTime(at)).toMatch(/^12\/\d+\/2026, /);
    expect(formatDateTime(at)).toMatch(/AM|PM/);
    expect(formatNumber(0.5, { style: 'percent' })).toBe('50%');
  });

  it('gives an empty string for no or an invalid value', () => {
    expect(formatDateTime(undefined)).toBe('');
    expect(formatDateTime('')).toBe('');
    expect(formatDateTime('not a date')).toBe('');
    expect(formatTime(null)).toBe('');
  });
});

describe('entityCatalogPath', () => {
  it("links an entity ref in Backstage's grammar to its catalog page", () => {
    expect(entityCatalogPath('resource:default/web-01')).toBe(
      '/catalog/default/resource/web-01',
    );
    expect(entityCatalogPath('Component:shop/storefront-web')).toBe(
      '/catalog/shop/component/storefront-web',
    );
    // left-out parts come from the defaults
    expect(entityCatalogPath('web-01')).toBe(
      '/catalog/default/resource/web-01',
    );
    expect(entityCatalogPath('team/api', { kind: 'component' })).toBe(
      '/catalog/team/component/api',
    );
    expect(
      entityCatalogPath({ kind: 'Group', namespace: 'default', name: 'ops' }),
    ).toBe('/catalog/default/group/ops');
  });

  it('encodes each part and gives no path for a ref with an empty part', () => {
    expect(entityCatalogPath('resource:default/a b?c')).toBe(
      '/catalog/default/resource/a%20b%3Fc',
    );
    expect(entityCatalogPath('resource:default/')).toBeUndefined();
    expect(entityCatalogPath(':default/x')).toBeUndefined();
    expect(entityCatalogPath('')).toBeUndefined();
  });
});
