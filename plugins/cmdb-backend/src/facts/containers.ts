import { parseImageId, type RunningImage } from '@opsdeck/plugin-registry-node';

/** Most containers and repository digests per image read from one host. */
export const MAX_CONTAINERS = 200;
const MAX_DIGESTS_PER_IMAGE = 20;

/**
 * The containers section of the facts command: for docker, then podman,
 * when present (and usable by the login user), one `C <name> <image id>`
 * line per running container and one `I <image id> <repo digest>...` line
 * per image they run (`RepoDigests`, what the image was pulled as). A host
 * without either prints nothing.
 */
export const CONTAINERS_COMMAND = [
  `echo @@containers`,
  `for rt in docker podman; do command -v "$rt" >/dev/null 2>&1 || continue; ids=$("$rt" ps -q --no-trunc 2>/dev/null | head -n ${MAX_CONTAINERS}); [ -n "$ids" ] || continue; "$rt" inspect --format 'C {{.Name}} {{.Image}}' $ids 2>/dev/null; imgs=$("$rt" inspect --format '{{.Image}}' $ids 2>/dev/null | sort -u); [ -n "$imgs" ] && "$rt" image inspect --format 'I {{.Id}} {{join .RepoDigests " "}}' $imgs 2>/dev/null; done`,
].join('\n');

const CONTAINER_LINE =
  /^C \/?([A-Za-z0-9][A-Za-z0-9_.-]{0,127}) (?:sha256:)?([a-f0-9]{64})$/;
const IMAGE_LINE = /^I (?:sha256:)?([a-f0-9]{64})((?: [^ ]{1,600}){0,20})$/;

/** A running container of a host and the repository digests of its image. */
export interface HostContainer {
  name: string;
  digests: Array<Pick<RunningImage, 'registry' | 'repository' | 'digest'>>;
}

/**
 * Parses the lines of the containers section strictly, as the output of a
 * host that may be hostile: only container names of Docker's grammar,
 * 64-hex image IDs and repository digests that parse (`sha256:` and 64
 * lower-case hex, distribution-grammar names) are kept; any other line is
 * dropped, and at most {@link MAX_CONTAINERS} containers are read.
 */
export function parseContainers(lines: string[] | undefined): HostContainer[] {
  const images = new Map<string, HostContainer['digests']>();
  const containers: Array<{ name: string; image: string }> = [];
  for (const line of lines ?? []) {
    const c = CONTAINER_LINE.exec(line);
    if (c) {
      if (containers.length < MAX_CONTAINERS) {
        containers.push({ name: c[1], image: c[2] });
      }
      continue;
    }
    const i = IMAGE_LINE.exec(line);
    if (!i || images.has(i[1])) continue;
    const digests: HostContainer['digests'] = [];
    for (const token of i[2].split(' ').filter(Boolean)) {
      const parsed = parseImageId(token);
      if (parsed && digests.length < MAX_DIGESTS_PER_IMAGE)
        digests.push(parsed);
    }
    images.set(i[1], digests);
  }
  const seen = new Set<string>();
  return containers
    .filter(c => !seen.has(c.name) && seen.add(c.name))
    .map(c => ({ name: c.name, digests: images.get(c.image) ?? [] }))
    .filter(c => c.digests.length > 0);
}

/** What a host's containers run, as reported to the registry plugin. */
export function hostImages(
  entityRef: string,
  containers: HostContainer[],
): RunningImage[] {
  return containers.flatMap(c =>
    c.digests.map(d => ({
      ...d,
      kind: 'host' as const,
      where: entityRef,
      entityRef,
    })),
  );
}
