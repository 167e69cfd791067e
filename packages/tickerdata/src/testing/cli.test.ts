import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The committed bin, as `tickerdata-simulator` runs it (it imports the built dist).
const BIN = fileURLToPath(new URL('../../bin/tickerdata-simulator.js', import.meta.url))

const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' })

describe('tickerdata-simulator command line', () => {
  it.each([
    [['--port', 'abc'], /^tickerdata-simulator: --port: "abc" is not a port number/],
    [['--port', '70000'], /--port: "70000" is not a port number/],
    [['--seed', '1.5'], /--seed: "1\.5" is not a whole number/],
    [['--now', 'yesterday'], /--now: "yesterday" is not a date/],
    [['--clock-offset-ms', '5s'], /--clock-offset-ms: "5s" is not a whole number/],
    [['--now', '2025-03-01T00:00:00Z', '--clock-offset-ms', '1'], /cannot be used together/],
    [['--bogus'], /^tickerdata-simulator: Unknown option '--bogus'/],
    [['extra'], /^tickerdata-simulator: .*positional argument/i],
  ])('%j: exit 2, one line of error and the usage, no stack trace', (args, message) => {
    const result = run(...args)
    expect(result.status, result.stderr).toBe(2)
    const lines = result.stderr.trimEnd().split('\n')
    expect(lines[0]).toMatch(message)
    expect(lines[1]).toMatch(/^Usage: tickerdata-simulator /)
    expect(lines).toHaveLength(3)
    expect(result.stderr).not.toMatch(/\n\s+at /)
    expect(result.stdout).toBe('')
  })

  it('--help prints the options and exits 0', () => {
    const result = run('--help')
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/^tickerdata-simulator: the exchange simulator/)
    for (const flag of ['--port', '--now', '--clock-offset-ms', '--seed', '--help'])
      expect(result.stdout).toContain(flag)
    expect(run('-h').stdout).toBe(result.stdout)
  })

  it('good flags start it on 127.0.0.1, serving; SIGTERM stops it with exit 0', async () => {
    const child = spawn(process.execPath, [BIN, '--port', '0', '--now', '2025-03-10T12:00:00Z'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.setEncoding('utf8')
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk
        const found = /^export BINANCE_API_URL=(\S+)$/m.exec(out)
        if (found?.[1] !== undefined && out.includes('COINGECKO_API_URL')) resolve(found[1])
      })
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)))
    })
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/)
    const time = (await (await fetch(`${url}/api/v3/exchangeInfo`)).json()) as {
      serverTime: number
    }
    expect(time.serverTime).toBe(Date.parse('2025-03-10T12:00:00Z'))
    child.kill('SIGTERM')
    const [code] = (await once(child, 'exit')) as [number | null]
    expect(code).toBe(0)
  })
})
