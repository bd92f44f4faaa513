import type { ConfigSetInput } from '@opsdeck/plugin-config-common';
import { checkSetInput } from './ConfigService';

const ok: ConfigSetInput = {
  name: 'web',
  kind: 'nginx',
  owner: 'group:default/ops',
  selector: { tags: ['web'] },
  targetPath: '/etc/nginx/nginx.conf',
};

describe('checkSetInput', () => {
  it('accepts a plain set and a stage root above the target', () => {
    expect(() => checkSetInput(ok)).not.toThrow();
    expect(() =>
      checkSetInput({
        ...ok,
        targetPath: '/etc/nginx/conf.d/site.conf',
        stageRoot: '/etc/nginx',
      }),
    ).not.toThrow();
  });

  it.each([
    ['a relative path', { targetPath: 'etc/nginx.conf' }],
    ['a path with ..', { targetPath: '/etc/nginx/../shadow' }],
    ['a directory', { targetPath: '/etc/nginx/' }],
    ['a newline in the path', { targetPath: '/etc/a\nb' }],
    ['a stage root not above the target', { stageRoot: '/var' }],
    ['the whole filesystem as stage root', { stageRoot: '/' }],
    ['a typed owner that is not a ref', { owner: 'ops' }],
    ['an upper-case or spaced name', { name: 'My Set' }],
  ])('refuses %s', (_what, patch) => {
    expect(() => checkSetInput({ ...ok, ...patch })).toThrow();
  });
});
