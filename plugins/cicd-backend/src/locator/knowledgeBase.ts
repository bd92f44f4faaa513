import type { CauseDefinition } from '@opsdeck/plugin-cicd-common';

const t = (en: string, zh: string) => ({ en, 'zh-CN': zh });

/**
 * opsdeck's built-in knowledge base of causes of failed builds. Patterns are
 * RE2 (linear time, no backreferences or lookaround) and match single lines
 * of the console log after ANSI colour codes are removed. `weight` orders
 * causes by how precisely they name the root cause: a compiler error
 * outranks the `make` error it leads to, which outranks a bare exit code.
 */
export const BUILT_IN_CAUSES: CauseDefinition[] = [
  // --- compilers ---------------------------------------------------------
  {
    id: 'typescript-compile',
    category: 'compile',
    title: t('TypeScript compile error', 'TypeScript 编译错误'),
    patterns: [
      String.raw`\(\d+,\d+\): error TS\d+:`,
      String.raw`^\S+:\d+:\d+ - error TS\d+:`,
      String.raw`^error TS\d+:`,
    ],
    weight: 85,
    runbook:
      'https://www.typescriptlang.org/docs/handbook/compiler-options.html',
  },
  {
    id: 'javac-compile',
    category: 'compile',
    title: t('Java compile error', 'Java 编译错误'),
    patterns: [
      String.raw`^\S+\.java:\d+: error: `,
      String.raw`\.java:\[\d+,\d+\] `,
      String.raw`^\[ERROR\] COMPILATION ERROR`,
      String.raw`maven-compiler-plugin:\S+:(test)?[cC]ompile .*Compilation failure`,
    ],
    weight: 85,
    runbook: 'https://maven.apache.org/plugins/maven-compiler-plugin/',
  },
  {
    id: 'rustc-compile',
    category: 'compile',
    title: t('Rust compile error', 'Rust 编译错误'),
    patterns: [String.raw`^error\[E\d{4}\]: `, 'could not compile `'],
    weight: 85,
    runbook: 'https://doc.rust-lang.org/error_codes/error-index.html',
  },
  {
    id: 'gcc-compile',
    category: 'compile',
    title: t('C/C++ compile error', 'C/C++ 编译错误'),
    patterns: [
      String.raw`^\S+\.(c|cc|cpp|cxx|h|hpp):\d+:\d+: (fatal )?error: `,
      '^compilation terminated\\.',
    ],
    weight: 84,
    runbook: 'https://gcc.gnu.org/onlinedocs/gcc/Warnings-and-Errors.html',
  },
  {
    id: 'linker-error',
    category: 'compile',
    title: t('Linker error (undefined reference)', '链接错误（未定义的引用）'),
    patterns: [
      'undefined reference to `',
      String.raw`collect2: error: ld returned \d+ exit status`,
      'ld: symbol\\(s\\) not found',
    ],
    weight: 86,
    runbook: 'https://sourceware.org/binutils/docs/ld/',
  },
  {
    id: 'go-compile',
    category: 'compile',
    title: t('Go compile error', 'Go 编译错误'),
    patterns: [String.raw`^(\./)?\S+\.go:\d+:\d+: `, String.raw`^# \S+$`],
    indications: [
      {
        first: String.raw`^# \S+$`,
        then: String.raw`\.go:\d+:\d+: `,
        within: 20,
      },
    ],
    weight: 80,
    runbook: 'https://go.dev/doc/cmd',
  },
  {
    id: 'cmake-error',
    category: 'compile',
    title: t('CMake configuration error', 'CMake 配置错误'),
    patterns: ['^CMake Error', 'Configuring incomplete, errors occurred'],
    weight: 80,
    runbook: 'https://cmake.org/cmake/help/latest/manual/cmake.1.html',
  },
  {
    id: 'make-error',
    category: 'compile',
    title: t(
      'make: missing rule or bad Makefile',
      'make：缺少规则或 Makefile 有误',
    ),
    patterns: [
      String.raw`make(\[\d+\])?: \*\*\* No rule to make target`,
      'missing separator\\.  Stop\\.',
      String.raw`^make(\[\d+\])?: \*\*\* \[.*\] Error \d+`,
    ],
    weight: 40,
    runbook:
      'https://www.gnu.org/software/make/manual/make.html#Error-Messages',
  },
  // --- tests -------------------------------------------------------------
  {
    id: 'jest-test-failure',
    category: 'test',
    title: t('Jest test failed', 'Jest 测试失败'),
    patterns: [
      String.raw`^\s*● .+`,
      String.raw`^FAIL \S+`,
      String.raw`^Tests:\s+\d+ failed`,
    ],
    testName: String.raw`^\s*● (.+)$`,
    weight: 88,
    runbook: 'https://jestjs.io/docs/troubleshooting',
  },
  {
    id: 'pytest-failure',
    category: 'test',
    title: t('pytest test failed', 'pytest 测试失败'),
    patterns: [
      String.raw`^(FAILED|ERROR) \S+::\S+`,
      String.raw`^=+ (\d+ failed|FAILURES|ERRORS)`,
      String.raw`^=+ .*\d+ (failed|errors?)\b.* in [0-9.]+s`,
      String.raw`^E\s{3,}\S`,
    ],
    testName: String.raw`^(?:FAILED|ERROR) (\S+::[^\s]+)`,
    weight: 88,
    runbook: 'https://docs.pytest.org/en/stable/how-to/output.html',
  },
  {
    id: 'maven-test-failure',
    category: 'test',
    title: t('Maven Surefire test failed', 'Maven Surefire 测试失败'),
    patterns: [
      String.raw`Tests run: \d+, Failures: \d+, Errors: \d+.*<<< (FAILURE|ERROR)!`,
      'There are test failures',
      String.raw`^\[ERROR\]\s+\S+\.\S+:\d+ `,
    ],
    testName: String.raw`^\[ERROR\] (\S+\.\S+) -- Time elapsed: .*<<< (?:FAILURE|ERROR)!`,
    weight: 88,
    runbook: 'https://maven.apache.org/surefire/maven-surefire-plugin/',
  },
  {
    id: 'gradle-test-failure',
    category: 'test',
    title: t('Gradle test failed', 'Gradle 测试失败'),
    patterns: [
      String.raw`^\S+ > \S+.* FAILED$`,
      String.raw`^\d+ tests completed, \d+ failed`,
    ],
    testName: String.raw`^(\S+ > \S+.*) FAILED$`,
    weight: 86,
    runbook: 'https://docs.gradle.org/current/userguide/java_testing.html',
  },
  {
    id: 'cargo-test-failure',
    category: 'test',
    title: t('Rust test failed', 'Rust 测试失败'),
    patterns: [
      String.raw`^test \S+ \.\.\. FAILED`,
      'test result: FAILED',
      String.raw`^thread '.*' (\(\d+\) )?panicked at`,
    ],
    testName: String.raw`^test (\S+) \.\.\. FAILED`,
    weight: 88,
    runbook: 'https://doc.rust-lang.org/cargo/commands/cargo-test.html',
  },
  {
    id: 'go-test-failure',
    category: 'test',
    title: t('Go test failed', 'Go 测试失败'),
    patterns: [
      String.raw`^\s*--- FAIL: \S+`,
      String.raw`^FAIL\s+\S+\s+[0-9.]+s`,
    ],
    testName: String.raw`^\s*--- FAIL: (\S+)`,
    weight: 88,
    runbook: 'https://pkg.go.dev/cmd/go#hdr-Test_packages',
  },
  // --- dependencies ----------------------------------------------------------
  {
    id: 'npm-dependency-resolution',
    category: 'dependency',
    title: t('npm could not resolve a dependency', 'npm 无法解析依赖'),
    patterns: [
      String.raw`^npm (ERR!|error) code (ETARGET|ENOTCACHED|E404|ERESOLVE|ENOTFOUND)`,
      'No matching version found for ',
      String.raw`^npm (ERR!|error) 404 `,
      String.raw`^npm (ERR!|error) (request to \S+ failed|notarget)`,
    ],
    weight: 82,
    runbook: 'https://docs.npmjs.com/common-errors',
  },
  {
    id: 'npm-missing-script',
    category: 'environment',
    title: t('npm script does not exist', 'npm 脚本不存在'),
    patterns: [String.raw`^npm (ERR!|error) Missing script: `],
    weight: 80,
    runbook: 'https://docs.npmjs.com/cli/commands/npm-run-script',
  },
  {
    id: 'yarn-dependency-resolution',
    category: 'dependency',
    title: t('Yarn could not resolve a dependency', 'Yarn 无法解析依赖'),
    patterns: [
      String.raw`YN00(01|35|80|82).*(No candidates found|Couldn't find|blocked because of your configuration|Request to|not found|404)`,
      "^error Couldn't find any versions for ",
      String.raw`^error An unexpected error occurred: ".*(404|ENOTFOUND|ETIMEDOUT)`,
    ],
    weight: 82,
    runbook: 'https://yarnpkg.com/advanced/error-codes',
  },
  {
    id: 'pip-dependency-resolution',
    category: 'dependency',
    title: t('pip could not find a distribution', 'pip 找不到可用的包'),
    patterns: [
      'No matching distribution found for ',
      'Could not find a version that satisfies the requirement',
      'ResolutionImpossible',
    ],
    weight: 82,
    runbook: 'https://pip.pypa.io/en/stable/topics/dependency-resolution/',
  },
  {
    id: 'maven-dependency-resolution',
    category: 'dependency',
    title: t('Maven could not resolve dependencies', 'Maven 无法解析依赖'),
    patterns: [
      'Could not resolve dependencies for project',
      'Failed to collect dependencies at',
      String.raw`Plugin \S+ or one of its dependencies could not be resolved`,
      String.raw`The POM for \S+ is missing`,
    ],
    weight: 82,
    runbook:
      'https://cwiki.apache.org/confluence/display/MAVEN/DependencyResolutionException',
  },
  {
    id: 'gradle-dependency-resolution',
    category: 'dependency',
    title: t('Gradle could not resolve dependencies', 'Gradle 无法解析依赖'),
    patterns: [
      String.raw`Could not resolve all (files|dependencies|artifacts) for configuration`,
      String.raw`^\s*> Could not find \S+:\S+:\S+`,
    ],
    weight: 82,
    runbook:
      'https://docs.gradle.org/current/userguide/dependency_resolution.html',
  },
  {
    id: 'cargo-dependency-resolution',
    category: 'dependency',
    title: t('Cargo could not resolve a crate', 'Cargo 无法解析依赖'),
    patterns: [
      'no matching package named `',
      'failed to select a version for',
      'failed to get `\\S+` as a dependency',
    ],
    weight: 82,
    runbook: 'https://doc.rust-lang.org/cargo/reference/resolver.html',
  },
  {
    id: 'go-module-resolution',
    category: 'dependency',
    title: t('Go module could not be resolved', 'Go 模块无法解析'),
    patterns: [
      'cannot find module providing package',
      String.raw`^go: \S+@\S+: (unknown revision|invalid version|reading .* 404)`,
      'missing go.sum entry',
    ],
    weight: 82,
    runbook: 'https://go.dev/ref/mod#resolve-pkg-mod',
  },
  // --- Python runtime ---------------------------------------------------------
  {
    id: 'python-module-not-found',
    category: 'dependency',
    title: t('Python module not installed', 'Python 模块未安装'),
    patterns: [String.raw`^(ModuleNotFoundError|ImportError): `],
    weight: 80,
    runbook:
      'https://docs.python.org/3/library/exceptions.html#ModuleNotFoundError',
  },
  {
    id: 'python-syntax-error',
    category: 'compile',
    title: t('Python syntax error', 'Python 语法错误'),
    patterns: [String.raw`^(SyntaxError|IndentationError|TabError): `],
    weight: 80,
    runbook: 'https://docs.python.org/3/library/exceptions.html#SyntaxError',
  },
  {
    id: 'python-traceback',
    category: 'runtime',
    title: t('Python exception (traceback)', 'Python 异常（调用栈）'),
    patterns: [String.raw`^Traceback \(most recent call last\):`],
    indications: [
      {
        first: String.raw`^Traceback \(most recent call last\):`,
        then: String.raw`^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b`,
        within: 200,
      },
    ],
    weight: 60,
    runbook: 'https://docs.python.org/3/tutorial/errors.html',
  },
  // --- resources ---------------------------------------------------------------
  {
    id: 'out-of-memory',
    category: 'resources',
    title: t('Out of memory (killed)', '内存不足（进程被杀）'),
    patterns: [
      'JavaScript heap out of memory',
      'java\\.lang\\.OutOfMemoryError',
      String.raw`^MemoryError\b`,
      'Cannot allocate memory',
      String.raw`fatal error: runtime: out of memory`,
      String.raw`Out of memory: Killed process`,
      String.raw`(^|\s)Killed\s*$`,
      String.raw`script returned exit code 137$`,
      'signal: killed',
    ],
    weight: 90,
    runbook:
      'https://www.kernel.org/doc/gorman/html/understand/understand016.html',
  },
  {
    id: 'disk-full',
    category: 'resources',
    title: t('Disk full', '磁盘空间不足'),
    patterns: [
      'No space left on device',
      '\\bENOSPC\\b',
      'Disk quota exceeded',
    ],
    weight: 95,
    runbook: 'https://www.jenkins.io/doc/book/managing/nodes/#node-monitoring',
  },
  {
    id: 'timeout',
    category: 'timeout',
    title: t('Build step timed out', '构建步骤超时'),
    patterns: [
      'Timeout has been exceeded',
      'Cancelling nested steps due to timeout',
      String.raw`^timeout: sending signal`,
      String.raw`Build timed out \(after \d+ minutes\)`,
      String.raw`script returned exit code 124$`,
    ],
    weight: 75,
    runbook:
      'https://www.jenkins.io/doc/pipeline/steps/workflow-basic-steps/#timeout-enforce-time-limit',
  },
  // --- images, scm, environment ----------------------------------------------------
  {
    id: 'docker-build',
    category: 'image',
    title: t('Container image build failed', '容器镜像构建失败'),
    patterns: [
      'Cannot connect to the Docker daemon',
      String.raw`^(ERROR: )?failed to solve: `,
      String.raw`The command '.*' returned a non-zero code: \d+`,
      String.raw`^error building at STEP`,
      String.raw`^Error: (building at STEP|error building image)`,
      'dockerfile parse error',
      String.raw`^error checking context: `,
    ],
    weight: 80,
    runbook: 'https://docs.docker.com/build/building/best-practices/',
  },
  {
    id: 'git-error',
    category: 'scm',
    title: t('Git checkout or merge failed', 'Git 检出或合并失败'),
    patterns: [
      String.raw`^fatal: `,
      String.raw`^CONFLICT \(`,
      'Automatic merge failed; fix conflicts',
      'hudson\\.plugins\\.git\\.GitException',
      'ERROR: Error cloning remote repo',
    ],
    weight: 70,
    runbook: 'https://plugins.jenkins.io/git/',
  },
  {
    id: 'command-not-found',
    category: 'environment',
    title: t('Command not found on the agent', '构建节点上找不到命令'),
    patterns: [
      String.raw`: command not found$`,
      String.raw`^(/bin/sh|sh|bash|\S+\.sh): (line )?\d+: \S+: not found$`,
      'is not recognized as an internal or external command',
    ],
    weight: 75,
    runbook: 'https://www.jenkins.io/doc/book/managing/tools/',
  },
  {
    id: 'permission-denied',
    category: 'environment',
    title: t('Permission denied', '权限被拒绝'),
    patterns: [String.raw`: Permission denied$`, String.raw`\bEACCES\b`],
    weight: 60,
    runbook: 'https://www.jenkins.io/doc/book/security/',
  },
  {
    id: 'network-error',
    category: 'network',
    title: t('Network connection failed', '网络连接失败'),
    patterns: [
      'Connection refused',
      "Couldn't connect to server",
      'Could not resolve host',
      'Temporary failure in name resolution',
      String.raw`\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN)\b`,
    ],
    weight: 45,
    runbook: 'https://curl.se/libcurl/c/libcurl-errors.html',
  },
  {
    id: 'lint-failure',
    category: 'lint',
    title: t('Lint errors', '代码检查（Lint）错误'),
    patterns: [
      String.raw`^\s+\d+:\d+\s+error\s+`,
      String.raw`✖ \d+ problems? \(\d+ errors?`,
    ],
    weight: 70,
    runbook: 'https://eslint.org/docs/latest/use/command-line-interface',
  },
  {
    id: 'gradle-build-failure',
    category: 'compile',
    title: t('Gradle task failed', 'Gradle 任务失败'),
    patterns: [
      '^FAILURE: Build failed with an exception',
      String.raw`Execution failed for task '`,
    ],
    weight: 30,
    runbook: 'https://docs.gradle.org/current/userguide/troubleshooting.html',
  },
];
