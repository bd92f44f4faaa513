/**
 * A repository's full tag list, kept a few seconds for a registry that answers
 * every tag at once (Debian's docker-registry 2.8 ignores `n`/`last` on
 * `tags/list`): without it, every page of 100 fetches and sorts all tags
 * again. Keyed by registry resource, URL, vault credential and repository, and
 * read only after the caller passed the route's permission, the catalog read of
 * the resource and the vault's release of the credential, so a hit never shows
 * tags to someone who could not fetch them. Deletes and retention runs through
 * opsdeck drop the repository's entry; a tag pushed elsewhere shows within
 * `ttlMs`. Decisions that delete (shared digest, retention) never read it.
 */
export class TagListCache {
  private readonly entries = new Map<
    string,
    { tags: string[]; expires: number; url: string; repository: string }
  >();

  constructor(
    private readonly options: {
      ttlMs: number;
      /** Repositories kept at most (oldest dropped first). */
      maxEntries?: number;
      now?: () => number;
    },
  ) {}

  private now() {
    return (this.options.now ?? Date.now)();
  }

  static key(parts: {
    ref: string;
    url: string;
    credential?: string;
    repository: string;
  }) {
    return JSON.stringify([
      parts.ref,
      parts.url,
      parts.credential ?? '',
      parts.repository,
    ]);
  }

  get(key: string): string[] | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.tags;
  }

  /** Keeps `tags` (sorted) under `key`; nothing when the cache is off (ttlMs 0). */
  set(key: string, url: string, repository: string, tags: string[]) {
    if (this.options.ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, {
      tags,
      url,
      repository,
      expires: this.now() + this.options.ttlMs,
    });
    const max = this.options.maxEntries ?? 64;
    while (this.entries.size > max) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Drops every entry of `repository` on the registry at `url` (any resource, any credential). */
  invalidate(url: string, repository: string) {
    for (const [key, entry] of this.entries) {
      if (entry.url === url && entry.repository === repository) {
        this.entries.delete(key);
      }
    }
  }
}
