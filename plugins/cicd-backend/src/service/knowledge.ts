import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  CAUSE_CATEGORIES,
  CauseDefinition,
  CauseInput,
  ListedCause,
  LocateResult,
  MAX_CAUSE_NAME,
  MAX_CAUSE_PATTERNS,
  MAX_PATTERN_LENGTH,
} from '@opsdeck/plugin-cicd-common';
import type { CauseStore } from '../database/CauseStore';
import { STORED_CAUSE_WEIGHT } from '../database/CauseStore';
import {
  compareLocated,
  FailureLocator,
  LocateOptions,
} from '../locator/locator';
import { InvalidPatternError } from '../locator/re2';

/** The most causes people may store (each one is evaluated on every failed build). */
export const MAX_STORED_CAUSES = 200;

// C0/C1 control characters (and DEL) have no place in a name.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks what a person sends to add a cause: a name, a known category,
 * 1–{@link MAX_CAUSE_PATTERNS} patterns RE2 compiles (each at most
 * {@link MAX_PATTERN_LENGTH} characters, the limits of /causes/try) and an
 * optional http(s) runbook. Throws InputError for anything else.
 */
export function parseCauseInput(input: CauseInput): CauseInput {
  const name = typeof input?.name === 'string' ? input.name.trim() : '';
  if (!name || name.length > MAX_CAUSE_NAME || CONTROL.test(name)) {
    throw new InputError(
      `A cause needs a name of 1 to ${MAX_CAUSE_NAME} printable characters`,
    );
  }
  if (!CAUSE_CATEGORIES.includes(input.category)) {
    throw new InputError(`Unknown category ${JSON.stringify(input.category)}`);
  }
  const patterns = input.patterns;
  if (
    !Array.isArray(patterns) ||
    patterns.length < 1 ||
    patterns.length > MAX_CAUSE_PATTERNS ||
    patterns.some(p => typeof p !== 'string' || p.length > MAX_PATTERN_LENGTH)
  ) {
    throw new InputError(
      `A cause needs 1 to ${MAX_CAUSE_PATTERNS} patterns of at most ${MAX_PATTERN_LENGTH} characters`,
    );
  }
  const cause: CauseInput = { name, category: input.category, patterns };
  try {
    // compiles each pattern and the cause's alternation, as the locator will
    // eslint-disable-next-line no-new
    new FailureLocator([definitionOf(cause, 'candidate')]);
  } catch (e) {
    if (e instanceof InvalidPatternError) throw new InputError(e.message);
    throw e;
  }
  if (input.runbook !== undefined && input.runbook !== '') {
    let url: URL;
    try {
      url = new URL(input.runbook);
    } catch {
      throw new InputError('The runbook must be an http(s) URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new InputError('The runbook must be an http(s) URL');
    }
    cause.runbook = url.toString();
  }
  return cause;
}

function definitionOf(input: CauseInput, id: string): CauseDefinition {
  return {
    id,
    category: input.category,
    title: { en: input.name, 'zh-CN': input.name },
    patterns: input.patterns,
    weight: STORED_CAUSE_WEIGHT,
    runbook: input.runbook ?? '',
  };
}

/** One ranking from the results of several locators over the same log. */
function merge(results: LocateResult[]): LocateResult {
  return {
    ...results[0],
    causes: results.flatMap(r => r.causes).sort(compareLocated),
  };
}

/** A locator over stored causes: one compiled together, else one per cause. */
class StoredLocators {
  private readonly locators: FailureLocator[];

  constructor(definitions: CauseDefinition[]) {
    if (!definitions.length) {
      this.locators = [];
      return;
    }
    try {
      this.locators = [new FailureLocator(definitions)];
    } catch {
      // together too large for RE2: each alone (each compiled when stored)
      this.locators = definitions.flatMap(d => {
        try {
          return [new FailureLocator([d])];
        } catch {
          return [];
        }
      });
    }
  }

  async locate(text: string, options: LocateOptions) {
    const results: LocateResult[] = [];
    for (const l of this.locators) {
      results.push(await l.locateAsync(text, options));
    }
    return results;
  }
}

/**
 * The failure locator's knowledge base: the built-in causes (compiled once, at first use)
 * and the causes people stored, read from the database at each use so that
 * every replica uses the same set; the stored ones are compiled again only
 * when that set changes (stored causes are never edited, so their ids name
 * the set).
 */
export class KnowledgeBase {
  private builtInCompiled?: FailureLocator;
  private compiled?: { signature: string; locators: StoredLocators };

  constructor(
    private readonly builtIn: CauseDefinition[],
    private readonly store: CauseStore,
  ) {}

  /**
   * The built-in causes compiled on first use, not at plugin start: compiling
   * them with RE2 (WebAssembly) is seconds of CPU the backend does not need
   * before it is ready (#15). Their patterns are checked by the knowledge
   * base's tests.
   */
  private get builtInLocator(): FailureLocator {
    this.builtInCompiled ??= new FailureLocator(this.builtIn);
    return this.builtInCompiled;
  }

  /** Built-in causes, then stored ones (oldest first). */
  async list(): Promise<ListedCause[]> {
    return [
      ...this.builtIn.map(c => ({ ...c, source: 'built-in' as const })),
      ...(await this.store.list()),
    ];
  }

  /**
   * A locator over the current knowledge base, and the signature of the set
   * of stored causes it uses (a key for results located with it).
   */
  async locator(): Promise<{
    signature: string;
    locate: (text: string, options: LocateOptions) => Promise<LocateResult>;
  }> {
    const stored = await this.store.list();
    const signature = stored.map(c => c.id).join(',');
    if (this.compiled?.signature !== signature) {
      this.compiled = { signature, locators: new StoredLocators(stored) };
    }
    const { locators } = this.compiled;
    return {
      signature,
      locate: async (text, options) =>
        merge([
          await this.builtInLocator.locateAsync(text, options),
          ...(await locators.locate(text, options)),
        ]),
    };
  }

  async add(input: CauseInput, createdBy: string): Promise<ListedCause> {
    const cause = parseCauseInput(input);
    if ((await this.store.count()) >= MAX_STORED_CAUSES) {
      throw new ConflictError(
        `The knowledge base holds at most ${MAX_STORED_CAUSES} stored causes; delete one first`,
      );
    }
    return this.store.add(cause, createdBy);
  }

  /** Deletes a stored cause (404 for an unknown one, 409 for a built-in one). */
  async delete(id: string): Promise<ListedCause> {
    if (this.builtIn.some(c => c.id === id)) {
      throw new ConflictError(`${id} is a built-in cause`);
    }
    const cause = await this.store.get(id);
    if (!cause || !(await this.store.delete(id))) {
      throw new NotFoundError(`No stored cause ${id}`);
    }
    return cause;
  }
}
