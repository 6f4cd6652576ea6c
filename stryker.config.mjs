// StrykerJS for `npm run mutate -- <files>` (scripts/mutate.mjs passes `--mutate`, the
// incremental file and the report names; see mutation/README.md). Not part of `npm test`.
const name = process.env.MUTATE_NAME ?? "mutation"

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: {
    // test/unit and test/reliability, without the servers of test/integration and test/examples
    configFile: "vitest.mutate.config.ts",
    // only the test files that import the mutated module (directly or through others)
    related: true
  },
  // each mutant runs only the tests that reached it in the dry run
  coverageAnalysis: "perTest",
  // no TypeScript checker: a type-check of this repository takes minutes, and a mutant that
  // does not type-check is rare in the modules mutated here (it would only survive or be killed)
  checkers: [],
  // one incremental file and report per module (scripts/mutate.mjs sets MUTATE_NAME); these are
  // local caches, not committed: mutation/README.md is the committed result
  // mutants run only while a module loads (constants, top-level tables) need every related test
  // with a fresh module graph: on Retry.ts, 23 of them took more than half of a 17-minute run. They
  // are left out (reported as "Ignored", counted in mutation/README.md); `npm run mutate -- <file>
  // --ignoreStatic false` runs them too.
  ignoreStatic: true,
  incremental: true,
  incrementalFile: `reports/mutation/incremental/${name}.json`,
  reporters: ["progress", "clear-text", "json", "html"],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  clearTextReporter: { allowColor: false, logTests: false },
  // 2 workers by default (MUTATE_CONCURRENCY to change it); a busy machine gets a generous timeout
  concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 2),
  timeoutMS: 10_000,
  timeoutFactor: 2,
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
  // the sandbox needs src, test and the configs; not the generated-code cache or the benchmarks
  ignorePatterns: [
    "dist",
    "coverage",
    "reports",
    "mutation",
    "bench",
    "examples",
    "codegen/.cache",
    ".stryker-tmp*"
  ],
  thresholds: { high: 85, low: 70, break: null }
}
