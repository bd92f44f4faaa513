import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { hostImages, parseContainers } from './containers';
import { FACTS_COMMAND, parseFactsContainers } from './parseFacts';

const run = promisify(execFile);

const H = (c: string) => c.repeat(64);
const D = (c: string) => `sha256:${H(c)}`;

describe('containers of a host', () => {
  it('pairs running containers with the repository digests of their images', () => {
    const containers = parseContainers([
      `C /web-1 sha256:${H('1')}`,
      `C /web-2 sha256:${H('1')}`,
      `C /redis ${H('2')}`, // podman: ids without sha256:
      `C /local sha256:${H('3')}`,
      `I sha256:${H('1')} 127.0.0.1:5000/shop/web@${D(
        'a',
      )} registry.example/shop/web@${D('b')}`,
      `I ${H('2')} docker.io/library/redis@${D('c')}`,
      `I sha256:${H('3')} `, // built locally: no repository digest
    ]);
    expect(containers).toEqual([
      {
        name: 'web-1',
        digests: [
          {
            registry: '127.0.0.1:5000',
            repository: 'shop/web',
            digest: D('a'),
          },
          {
            registry: 'registry.example',
            repository: 'shop/web',
            digest: D('b'),
          },
        ],
      },
      {
        name: 'web-2',
        digests: [
          {
            registry: '127.0.0.1:5000',
            repository: 'shop/web',
            digest: D('a'),
          },
          {
            registry: 'registry.example',
            repository: 'shop/web',
            digest: D('b'),
          },
        ],
      },
      {
        name: 'redis',
        digests: [
          {
            registry: 'docker.io',
            repository: 'library/redis',
            digest: D('c'),
          },
        ],
      },
    ]);
    expect(hostImages('resource:default/web-01', containers.slice(2))).toEqual([
      {
        registry: 'docker.io',
        repository: 'library/redis',
        digest: D('c'),
        kind: 'host',
        where: 'resource:default/web-01',
        entityRef: 'resource:default/web-01',
      },
    ]);
  });

  it('keeps nothing a hostile host slips in', () => {
    const long = 'a'.repeat(300);
    const containers = parseContainers([
      `C /ok sha256:${H('1')}`,
      `C /evil;rm -rf / sha256:${H('1')}`,
      `C /${long} sha256:${H('1')}`,
      `C /upper sha256:${H('A')}`,
      `C /short sha256:${H('1').slice(1)}`,
      `C /ok2 sha256:${H('1')} extra`,
      `I sha256:${H('1')} r.example/app@${D('a')} r.example/app@sha256:${H(
        'A',
      )} r.example/app@sha256:${H('a').slice(2)} r.example/UP@${D(
        'b',
      )} r.example/${long}@${D('c')} r.example/a/../b@${D(
        'd',
      )} javascript:alert(1)@${D('e')} <img@${D('f')}`,
      `I sha256:${H('1')} r.example/other@${D('9')}`, // a second line for the same image is ignored
      `X anything`,
      '',
    ]);
    expect(containers).toEqual([
      {
        name: 'ok',
        digests: [{ registry: 'r.example', repository: 'app', digest: D('a') }],
      },
    ]);
    // bounded: at most 200 containers, 20 digests per image
    const many = parseContainers([
      ...Array.from({ length: 500 }, (_, i) => `C /c${i} sha256:${H('1')}`),
      `I sha256:${H('1')} ${Array.from(
        { length: 20 },
        (_, i) => `r.example/a${i}@${D('a')}`,
      ).join(' ')}`,
    ]);
    expect(many).toHaveLength(200);
    expect(many[0].digests).toHaveLength(20);
    expect(
      parseContainers([
        `C /x sha256:${H('1')}`,
        `I sha256:${H('1')} ${Array.from(
          { length: 21 },
          (_, i) => `r.example/a${i}@${D('a')}`,
        ).join(' ')}`,
      ]),
    ).toEqual([]); // more tokens than an image has: the line does not parse
  });

  describe('the facts command on a host (a fake docker on PATH)', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-fake-docker-'));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    async function factsWith(docker?: string) {
      const bin = path.join(dir, docker ? 'with' : 'without');
      fs.mkdirSync(bin, { recursive: true });
      if (docker) {
        fs.writeFileSync(path.join(bin, 'docker'), docker, { mode: 0o755 });
      }
      const { stdout } = await run('/bin/sh', ['-c', FACTS_COMMAND], {
        env: { PATH: `${bin}:/usr/bin:/bin` },
      });
      return stdout;
    }

    it('reads the running containers docker reports', async () => {
      const out = await factsWith(`#!/bin/sh
case "$1 $2" in
  "ps -q") printf '%s\\n' ${H('c')} ${H('d')} ;;
  "inspect --format")
    case "$3" in
      C*) echo "C /web sha256:${H('1')}"; echo "C /db sha256:${H('2')}" ;;
      *) echo "sha256:${H('1')}"; echo "sha256:${H('2')}" ;;
    esac ;;
  "image inspect")
    echo "I sha256:${H('1')} 127.0.0.1:5000/shop/web@${D('a')}"
    echo "I sha256:${H('2')} " ;;
esac
`);
      expect(parseFactsContainers(out)).toEqual([
        {
          name: 'web',
          digests: [
            {
              registry: '127.0.0.1:5000',
              repository: 'shop/web',
              digest: D('a'),
            },
          ],
        },
      ]);
    });

    it('finds none on a host without docker or podman', async () => {
      const out = await factsWith();
      expect(out).toContain('@@containers');
      expect(parseFactsContainers(out)).toEqual([]);
    });

    it('keeps only what parses from a hostile docker', async () => {
      // every call prints the same junk, whatever it is asked
      const out = await factsWith(`#!/bin/sh
echo "C /web sha256:${H('1')}"
echo "C /\`id\` sha256:${H('2')}"
echo "C /ok sha256:${H('2')} ; reboot"
echo "I sha256:${H('1')} evil;host/x@${D('a')} r.example/x@${D(
        'b',
      )} r.example/y@sha256:${H('Z')}"
echo "I sha256:${H('2')} r.example/z@${D('c')}"
head -c 2000 /dev/zero | tr '\\0' 'A'
echo
`);
      expect(parseFactsContainers(out)).toEqual([
        {
          name: 'web',
          digests: [{ registry: 'r.example', repository: 'x', digest: D('b') }],
        },
      ]);
    });
  });
});
