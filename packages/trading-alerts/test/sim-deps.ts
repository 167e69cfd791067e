// Moved to the testing entry (so the API package's tests use the same helper); kept here for the
// imports of this package's tests.
export { simDeps } from '../src/testing/index.js'
