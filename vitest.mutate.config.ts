/**
 * The tests mutation testing runs (`npm run mutate`, see mutation/README.md): the unit and
 * reliability suites. Not the integration tests or the examples (they start s3rver and dynalite
 * and reach the same code through the network), not the soaks (thousands of calls each, kept for
 * throughput and heap, not for assertions a mutant would break), so that one core module runs in
 * minutes on a small machine.
 */
import { configDefaults, defineConfig } from "vitest/config"
import base from "./vitest.config.js"

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/unit/**/*.test.ts", "test/reliability/**/*.test.ts"],
    exclude: [...configDefaults.exclude, "test/reliability/Soak*.test.ts"],
    // a mutant reruns every test file that reached it; without isolation the modules those files
    // import (generated clients, the pipeline) are loaded once per run, not once per file
    isolate: false
  }
})
