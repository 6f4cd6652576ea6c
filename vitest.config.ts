import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // global.gc for the soak test's heap measurements (test/reliability/Soak.test.ts)
    poolOptions: { forks: { execArgv: ["--expose-gc"] } }
  }
})
