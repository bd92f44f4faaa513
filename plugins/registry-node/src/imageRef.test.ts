import { parseImageId, parseImageName } from './imageRef';

const D = `sha256:${'ab12'.repeat(16)}`;

describe('image references', () => {
  it('parses names with Docker defaults', () => {
    expect(parseImageName('nginx')).toEqual({
      registry: 'docker.io',
      repository: 'library/nginx',
    });
    expect(parseImageName('nginx:1.27')).toEqual({
      registry: 'docker.io',
      repository: 'library/nginx',
    });
    expect(parseImageName('127.0.0.1:5000/team/app:1.0')).toEqual({
      registry: '127.0.0.1:5000',
      repository: 'team/app',
    });
    expect(parseImageName('GHCR.io/org/app')).toEqual({
      registry: 'ghcr.io',
      repository: 'org/app',
    });
    expect(parseImageName('localhost/app')).toEqual({
      registry: 'localhost',
      repository: 'app',
    });
  });

  it('parses Kubernetes and Docker image IDs', () => {
    expect(
      parseImageId(`docker-pullable://127.0.0.1:5000/team/app@${D}`),
    ).toEqual({
      registry: '127.0.0.1:5000',
      repository: 'team/app',
      digest: D,
    });
    expect(parseImageId(`docker.io/library/nginx@${D}`)).toEqual({
      registry: 'docker.io',
      repository: 'library/nginx',
      digest: D,
    });
    expect(parseImageId(`nginx@${D}`)).toEqual({
      registry: 'docker.io',
      repository: 'library/nginx',
      digest: D,
    });
  });

  it('refuses what does not parse', () => {
    for (const bad of [
      D, // a local image ID names no repository
      `app@sha256:${'AB12'.repeat(16)}`,
      `app@sha256:${'ab'.repeat(31)}`,
      `app@sha512:${'ab'.repeat(64)}`,
      `Team/App@${D}`,
      `evil host/app@${D}`,
      `r.example/a/../b@${D}`,
      `r.example/${'a'.repeat(300)}@${D}`,
      `r.example/app\n@${D}`,
      `app@${D}\n`,
      '',
    ]) {
      expect(parseImageId(bad)).toBeUndefined();
    }
    expect(parseImageId(42 as any)).toBeUndefined();
  });
});
