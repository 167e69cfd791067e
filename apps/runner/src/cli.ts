#!/usr/bin/env node
import { main } from './main.js'

// A reader that goes away (`runner status | head -1`) is not an error of the runner: the rest of
// the output is dropped, the command finishes its work (a job still records its run) and exits
// with its own code, without a stack trace. Other stream errors stay fatal.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return
    throw error
  })
}

process.exitCode = await main(process.argv.slice(2))
