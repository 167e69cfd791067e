#!/usr/bin/env node
// The `tickerdata-simulator` command. A committed file, so that the bin exists (and pnpm links it)
// before the package is built; the code is in dist (run `pnpm build` first in a clone).
import '../dist/testing/cli.js'
