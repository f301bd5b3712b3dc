import { defineConfig } from 'vitest/config';

// The machine that runs CI has two cores, and the integration tests start real
// servers (Postgres databases, Temporal, sshd): one test file at a time keeps
// them from competing for those cores and for ports.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', '.data/**'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
