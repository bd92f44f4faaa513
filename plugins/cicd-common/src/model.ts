/** What kind of failure a cause of the knowledge base describes. */
export type CauseCategory =
  | 'compile'
  | 'test'
  | 'dependency'
  | 'resources'
  | 'timeout'
  | 'image'
  | 'scm'
  | 'environment'
  | 'network'
  | 'lint'
  | 'runtime';

/** Every category, in the order the UI lists them. */
export const CAUSE_CATEGORIES: readonly CauseCategory[] = [
  'compile',
  'test',
  'dependency',
  'resources',
  'timeout',
  'image',
  'scm',
  'environment',
  'network',
  'lint',
  'runtime',
];

/** A title in the languages the portal speaks. */
export interface LocalizedText {
  en: string;
  'zh-CN': string;
}

/**
 * Lines that indicate a cause only together: a line matching `first`, then
 * within `within` lines one matching `then` (Build Failure Analyzer's
 * multi-line indication).
 */
export interface MultiLineIndication {
  first: string;
  then: string;
  within: number;
}

/**
 * One known cause of failed builds. Patterns use RE2 syntax (no
 * backreferences, no lookaround) and are matched against single lines of the
 * console log.
 */
export interface CauseDefinition {
  id: string;
  category: CauseCategory;
  title: LocalizedText;
  /** Single-line patterns (RE2). */
  patterns: string[];
  indications?: MultiLineIndication[];
  /** A pattern whose first group is the name of a failing test. */
  testName?: string;
  /** How specific the cause is, 1 (generic) to 100 (names the root cause). */
  weight: number;
  runbook: string;
}

/** A cause found in one build's console log. */
export interface LocatedCause {
  id: string;
  category: CauseCategory;
  title: LocalizedText;
  runbook: string;
  score: number;
  /** 1-based console lines that matched, in order (at most 50). */
  lines: number[];
  /** Names of failing tests the cause names (at most 20). */
  tests: string[];
  /** The pipeline stage the first matching line belongs to. */
  stage?: string;
}

/** The outcome of locating the causes of a failed build. */
export interface LocateResult {
  /** Ranked, most likely first; empty when nothing in the base matched. */
  causes: LocatedCause[];
  /** The stage that failed (from wfapi when available, else the console). */
  failingStage?: string;
  /** The first console line counted in `lines` (1 unless the head was cut). */
  firstLine: number;
  linesScanned: number;
  /** Whether the log was longer than the cap and its head was dropped. */
  truncated: boolean;
}

/** A pipeline stage from Jenkins' wfapi. */
export interface BuildStage {
  name: string;
  status: string;
  durationMillis: number;
}

/** Jenkins' build results, plus running for a build still going. */
export type BuildResult =
  | 'SUCCESS'
  | 'FAILURE'
  | 'UNSTABLE'
  | 'ABORTED'
  | 'NOT_BUILT'
  | 'RUNNING';

/** One build of one job, as the builds list shows it. */
export interface BuildSummary {
  /** Opaque reference of the job: `instance:job/path`. */
  job: string;
  instance: string;
  jobPath: string;
  number: number;
  result: BuildResult;
  timestamp: number;
  durationMillis: number;
  url: string;
  /** Branch of a multibranch job, else undefined. */
  branch?: string;
  /** Commit id when the build says. */
  commit?: string;
  /**
   * Where the build came from: Jenkins (the default when absent) or another
   * CI system through the signed intake webhook (`job` is then
   * `@intake:<system>/<job>`, `instance` the system, no rebuild).
   */
  source?: 'jenkins' | 'intake';
  /**
   * What the build archived (Jenkins' `artifacts`, at most
   * MAX_BUILD_ARTIFACTS), each with its `path`: downloaded through opsdeck's
   * backend (GET .../artifact), never from Jenkins directly.
   */
  artifacts?: BuildArtifact[];
}

/** The most artifacts of one Jenkins build opsdeck reads and shows. */
export const MAX_BUILD_ARTIFACTS = 20;

/** One page of a component's builds. */
export interface BuildPage {
  builds: BuildSummary[];
  /** Jobs the entity names that could not be read, with the reason. */
  errors: { job: string; message: string }[];
  /** Whether older builds exist beyond this page. */
  more: boolean;
}

/**
 * A flaky cause of an entity's builds: how often a failed main-branch build
 * located to it was followed by a success of the same job on the same
 * commit (it failed and passed without a change).
 */
export interface FlakyCause {
  /** The cause's id (built-in, or `user-<n>` for a stored one). */
  cause: string;
  count: number;
  /** Absent when the cause was deleted since. */
  title?: LocalizedText;
  category?: CauseCategory;
}

/** A build with its stages and located causes (for a failed build). */
export interface BuildDetail extends BuildSummary {
  stages: BuildStage[];
  located?: LocateResult;
  /** The console lines around the located lines, 1-based line → text. */
  excerpt: { line: number; text: string }[];
}

/** The annotation naming a component's Jenkins jobs. */
export const JENKINS_JOB_ANNOTATION = 'jenkins.io/job-full-name';

/**
 * The CI systems (comma separated, e.g. `gitlab, drone`) whose signed builds
 * the intake webhook takes for an entity; also shows its CI/CD tab.
 */
export const CI_INTAKE_ANNOTATION = 'opsdeck.io/ci-intake';

/** The most patterns a stored cause (or a tried one) may have. */
export const MAX_CAUSE_PATTERNS = 20;
/** The longest pattern a stored cause (or a tried one) may have. */
export const MAX_PATTERN_LENGTH = 2000;
/** The longest name of a stored cause. */
export const MAX_CAUSE_NAME = 120;

/** What a person sends to add a cause to the knowledge base. */
export interface CauseInput {
  name: string;
  category: CauseCategory;
  /** Single-line RE2 patterns; refused when RE2 cannot compile one. */
  patterns: string[];
  /** An http(s) link to what to do about it. */
  runbook?: string;
}

/**
 * A cause of the knowledge base as the API lists it: a built-in one, or one a
 * person added (stored in the plugin's database; id `user-<n>`).
 */
export interface ListedCause extends CauseDefinition {
  source: 'built-in' | 'stored';
  /** Stored causes: the person who added it. */
  createdBy?: string;
  /** Stored causes: when (ISO 8601). */
  createdAt?: string;
}

/** Something a build produced (an image, a package), as a CI system posts it. */
export interface BuildArtifact {
  name: string;
  /** An image digest, `sha256:<64 hex>`. */
  digest?: string;
  /** Posted builds: where the CI system keeps it (http(s)). */
  url?: string;
  /**
   * Jenkins builds: the file's path in the build's archive (Jenkins'
   * `relativePath`); read through opsdeck's backend with the vault
   * credential, on behalf of the person.
   */
  path?: string;
}

/** How a deployment went, as the CD system posts it. */
export type DeploymentStatus =
  | 'SUCCESS'
  | 'FAILURE'
  | 'IN_PROGRESS'
  | 'ROLLED_BACK';

/** Every deployment status. */
export const DEPLOYMENT_STATUSES: readonly DeploymentStatus[] = [
  'SUCCESS',
  'FAILURE',
  'IN_PROGRESS',
  'ROLLED_BACK',
];

/** A deployment posted to the signed deploy webhook. */
export interface Deployment {
  entityRef: string;
  system: string;
  environment: string;
  version?: string;
  digest?: string;
  commit?: string;
  status: DeploymentStatus;
  url: string;
  timestamp: number;
}

/**
 * One step of a component's delivery (Hygieia's commit → build → artifact →
 * deployment). A commit is known from the builds and deployments that name
 * it (opsdeck reads no repository): it is placed at the first of them.
 */
export type TimelineItem =
  | { kind: 'commit'; timestamp: number; commit: string }
  | {
      kind: 'build';
      timestamp: number;
      commit?: string;
      job: string;
      number: number;
      result: BuildResult;
      url: string;
      branch?: string;
      source: 'jenkins' | 'intake';
    }
  | {
      kind: 'artifact';
      timestamp: number;
      commit?: string;
      job: string;
      number: number;
      name: string;
      digest?: string;
      url?: string;
      /** A Jenkins artifact: download through GET .../artifact?path= */
      path?: string;
    }
  | {
      kind: 'deployment';
      timestamp: number;
      commit?: string;
      system: string;
      environment: string;
      version?: string;
      digest?: string;
      status: DeploymentStatus;
      url: string;
      /** The build of the same commit it deploys (the newest successful one before it). */
      build?: { job: string; number: number };
    };

/** A component's delivery timeline, oldest first. */
export interface Timeline {
  items: TimelineItem[];
  /** Jobs that could not be read, with the reason. */
  errors: { job: string; message: string }[];
}

/**
 * An alert whose delivery was given up after its retries, or whose outcome
 * is unknown (the ops view).
 */
export interface GivenUpAlert {
  id: number;
  /**
   * `given_up`: every attempt failed (`lastError`). `unknown`: a replica
   * stopped while sending it, before recording the send; it may have gone
   * out, so it is not sent again unless a person retries it.
   */
  status: 'given_up' | 'unknown';
  jobKey: string;
  number: number;
  owner: string;
  title: string;
  attempts: number;
  /** Why the last attempt failed (the notifications backend's error). */
  lastError: string;
  createdAt: number;
  givenUpAt: number;
}

/** What a person's "send again" of a given-up alert did. */
export interface AlertRetryResult {
  id: number;
  job: string;
  number: number;
  /** Sent now, or given up again (with the new error). */
  status: 'sent' | 'given_up';
  error?: string;
}
