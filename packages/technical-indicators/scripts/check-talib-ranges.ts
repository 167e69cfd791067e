// Compares the parameter ranges of the catalogue (src/catalogue.ts) with TA-Lib's own, read from
// its abstract tables by a small C program (talib-ranges.c) linked with the TA-Lib that
// talib@1.1.6 compiles. TA-Lib is not a dependency: install it in a throwaway folder and pass its
// path:
//   mkdir /tmp/talib && (cd /tmp/talib && npm i talib@1.1.6)
//   pnpm exec tsx scripts/check-talib-ranges.ts /tmp/talib/node_modules/talib
// Exits 1 when a range, a default, a name or a family differs, except for the deviations listed below.
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CATALOGUE, type ParamSpec } from '../src/catalogue.js'
import { TALIB_MA_TYPES } from '../src/index.js'

interface TalibInput {
  name: string
  default: number
  type: 'integer' | 'real' | 'list' | 'other'
  min?: number
  max?: number
  values?: number[]
}

/** Where ours is narrower than TA-Lib's, and why. */
const DEVIATIONS: Record<string, string> = {
  'trix.period': 'TA-Lib allows 1, but its TRIX(1) reads outside its EMAs: no value to equal',
}

const talib = process.argv[2]
if (talib === undefined) {
  console.error('usage: tsx scripts/check-talib-ranges.ts <path to node_modules/talib>')
  process.exit(2)
}
const lib = join(talib, 'src/lib')
const bin = join(mkdtempSync(join(tmpdir(), 'talib-ranges-')), 'talib-ranges')
execFileSync('gcc', [
  '-O1',
  `-I${join(lib, 'include')}`,
  fileURLToPath(new URL('./talib-ranges.c', import.meta.url)),
  '-o',
  bin,
  ...['abstract', 'func', 'common', 'libc'].map((l) => join(lib, `lib/libta_${l}_csr.a`)),
  '-lm',
])
const theirs = new Map(
  execFileSync(bin, { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { name: string; group: string; optInputs: TalibInput[] })
    .map((f) => [f.name, f] as const),
)

/** TA-Lib's groups as the catalogue's families. */
const FAMILIES: Record<string, string> = {
  'Overlap Studies': 'overlap',
  'Momentum Indicators': 'momentum',
  'Volume Indicators': 'volume',
  'Volatility Indicators': 'volatility',
  'Price Transform': 'price transform',
  'Cycle Indicators': 'cycle',
  'Statistic Functions': 'statistic',
  'Math Operators': 'math operator',
}

// Our parameter names → TA-Lib's, from the fixture generator's function table.
const FUNCTIONS: Record<string, { name: string; map: Record<string, string> }> = {}
for (const group of ['core', 'extra', 'oscillators']) {
  const mod = (await import(`./talib-functions/${group}.mjs`)) as { FUNCTIONS: typeof FUNCTIONS }
  Object.assign(FUNCTIONS, mod.FUNCTIONS)
}
FUNCTIONS.trange = { name: 'TRANGE', map: {} }

/** TA-Lib's codes of our MA type names. */
const codes = (values: readonly string[]) =>
  values.map((v) => TALIB_MA_TYPES.indexOf(v as never)).sort((a, b) => a - b)

const problems: string[] = []
let checked = 0
for (const [name, spec] of Object.entries(CATALOGUE)) {
  if (spec.talib === null) continue // beyond TA-Lib
  const fn = FUNCTIONS[name]
  const talibFn = theirs.get(spec.talib)
  if (talibFn === undefined || fn === undefined || fn.name !== spec.talib) {
    problems.push(`${name}: TA-Lib has no ${spec.talib}, or the fixtures call another function`)
    continue
  }
  if (FAMILIES[talibFn.group] !== spec.family) {
    problems.push(`${name}: family ${spec.family}, TA-Lib's group ${talibFn.group}`)
  }
  const inputs = talibFn.optInputs
  for (const [param, ours] of Object.entries(spec.params as Record<string, ParamSpec>)) {
    const at = `${name}.${param}`
    const t = inputs.find((i) => i.name === fn.map[param])
    if (t === undefined) {
      problems.push(`${at}: no TA-Lib parameter ${fn.map[param] ?? '(unmapped)'} in ${fn.name}`)
      continue
    }
    checked++
    const differs: string[] = []
    if (ours.type === 'choice') {
      // MA types: TA-Lib's list 0–8 less MAMA (7), which is its own function here.
      const want = (t.values ?? []).filter((v) => v !== 7)
      if (t.type !== 'list' || codes(ours.values).join() !== want.join()) {
        differs.push(`values ${codes(ours.values).join()} ≠ ${want.join()}`)
      }
      if (TALIB_MA_TYPES[t.default] !== ours.default)
        differs.push(`default ${ours.default} ≠ ${t.default}`)
    } else {
      if (ours.type !== t.type) differs.push(`type ${ours.type} ≠ ${t.type}`)
      if (ours.min !== t.min || ours.max !== t.max) {
        differs.push(`range ${ours.min}…${ours.max} ≠ ${t.min}…${t.max}`)
      }
      if (ours.default !== t.default) differs.push(`default ${ours.default} ≠ ${t.default}`)
    }
    if (differs.length === 0) continue
    const why = DEVIATIONS[at]
    if (why !== undefined)
      console.log(`${at} (${fn.name}.${t.name}): ${differs.join('; ')}: ${why}`)
    else problems.push(`${at} (${fn.name}.${t.name}): ${differs.join('; ')}`)
  }
}
for (const p of problems) console.error(p)
console.log(`${checked} parameters checked against TA-Lib, ${problems.length} differ`)
process.exitCode = problems.length === 0 ? 0 : 1
