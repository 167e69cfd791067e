export {
  createTestDatabase,
  fixedClock,
  insertTestSymbols,
  memoryLogger,
  postgresAvailable,
  testDatabaseKinds,
  testServerUrl,
  type LogEntry,
  type TestDatabase,
  type TestDatabaseKind,
} from './create-test-database.js'
export { simDeps } from './sim-deps.js'
