import { defineConfig } from "vitest/config"

export default defineConfig({
  // `#runtime/*` (package.json `imports`) resolves to the sources under this condition, to dist/
  // (what users load) without it; the rest are vitest's own default (Vite's server conditions
  // without "module", which would pick packages' extensionless ESM builds)
  ssr: { resolve: { conditions: ["effect-aws-sdk/source", "node", "development|production"] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // global.gc for the soak test's heap measurements (test/reliability/Soak.test.ts)
    poolOptions: { forks: { execArgv: ["--expose-gc"] } }
  }
})
