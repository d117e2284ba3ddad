/**
 * Jest runs in native ESM mode (node --experimental-vm-modules): Nest 12 is ESM-only and CJS Jest
 * cannot load it on Node 20. Package names map to the TypeScript sources, so tests never need a build,
 * except the e2e suites that spawn the built sample app as real processes.
 */
export default {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: '(libs/.*/src/.*\\.spec\\.ts|test/.*\\.e2e-spec\\.ts)$',
  // `.scratch/` (gitignored) holds throwaway checkouts and profiles, never tests of this tree.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/.scratch/'],
  modulePathIgnorePatterns: ['<rootDir>/.scratch/'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.spec.json', diagnostics: { ignoreCodes: [151002] } }] },
  moduleNameMapper: {
    '^@reliable-socket/client$': '<rootDir>/libs/reliable-socket-client/src/index.ts',
    '^@reliable-socket/client/protocol$': '<rootDir>/libs/reliable-socket-client/src/protocol.ts',
    '^@reliable-socket/nestjs$': '<rootDir>/libs/reliable-socket/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 60_000,
  maxWorkers: 2,
};
