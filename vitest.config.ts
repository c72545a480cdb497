import { configDefaults, defineConfig } from 'vitest/config';

/** Tests that need no emulator: the flows on the in-memory stores and the pure units. */
const WITHOUT_EMULATORS = ['test/flows/**/*.test.ts', 'test/unit/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      LOG_LEVEL: 'SILENT',
    },
    // `vitest run` runs both; `vitest run --project flows` runs in seconds without Java.
    projects: [
      { extends: true, test: { name: 'flows', include: WITHOUT_EMULATORS } },
      {
        extends: true,
        test: {
          name: 'emulators',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...WITHOUT_EMULATORS],
          // DynamoDB Local (Java) and s3rver, shared by the run's test files.
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
