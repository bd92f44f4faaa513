import type {
  ImageRepositoryLink,
  ImageRepositoryProblem,
  ParsedImageRepositories,
} from './model';

/**
 * Repository names as the OCI distribution spec defines them: lower-case
 * path components separated by `/`, at most 255 characters.
 */
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);

/** Whether `value` is a repository name a registry accepts. */
export function isRepositoryName(value: string): boolean {
  return value.length <= 255 && REPOSITORY.test(value);
}

/** A catalog namespace or name (Backstage's rule: 1-63 of [A-Za-z0-9-_.]). */
const ENTITY_PART = '[a-zA-Z0-9](?:[-_.a-zA-Z0-9]{0,61}[a-zA-Z0-9])?';
const ENTRY = new RegExp(
  `^resource:(${ENTITY_PART})/(${ENTITY_PART})/(.*)$`,
  'i',
);

/**
 * Parses the value of IMAGE_REPOSITORIES_ANNOTATION strictly: each
 * comma-separated entry is `resource:<namespace>/<name>/<repository>` or is
 * reported as a problem with its reason (nothing is guessed or completed).
 * Never throws; an absent value has no links and no problems.
 */
export function parseImageRepositories(
  value: string | undefined,
): ParsedImageRepositories {
  const links: ImageRepositoryLink[] = [];
  const problems: ImageRepositoryProblem[] = [];
  if (value === undefined) return { links, problems };
  const seen = new Set<string>();
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (!entry) {
      problems.push({ entry, reason: 'empty' });
      continue;
    }
    const match = ENTRY.exec(entry);
    if (!match) {
      problems.push({ entry, reason: 'registry' });
      continue;
    }
    const [, namespace, name, repository] = match;
    if (!isRepositoryName(repository)) {
      problems.push({ entry, reason: 'repository' });
      continue;
    }
    // catalog refs compare case-insensitively; repositories are lower-case
    const registry = `resource:${namespace}/${name}`.toLocaleLowerCase('en-US');
    const key = `${registry}/${repository}`;
    if (seen.has(key)) {
      problems.push({ entry, reason: 'duplicate' });
      continue;
    }
    seen.add(key);
    links.push({ registry, repository });
  }
  return { links, problems };
}

/** Whether a component's annotation value names `repository` of `registry`. */
export function namesImageRepository(
  value: string | undefined,
  registry: string,
  repository: string,
): boolean {
  const wanted = registry.toLocaleLowerCase('en-US');
  return parseImageRepositories(value).links.some(
    l => l.registry === wanted && l.repository === repository,
  );
}
