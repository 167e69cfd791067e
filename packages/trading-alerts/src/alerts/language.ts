/**
 * The alert rule language (reference: docs/alert-rules.md). A rule is one or more conditions
 * joined by `and` / `or`:
 *
 *   rsi(14) < 30
 *   close crosses above sma(200)
 *   macd(12,26,9).histogram crosses above 0
 *   change(1h) >= 5%
 *   enters top 10 · leaves top 100 · rank rises by 5 · rank falls by 5
 *
 * A rule is parsed once into structure: an indicator operand carries its name, parameters and
 * output, and everything downstream (the registry, the indicators job, evaluation) takes that
 * structure. Its `key` is canonical text produced from it, for lookups and storage, never parsed
 * back. Indicator names given as text elsewhere (configuration, the HTTP API) go through
 * `parseIndicator`, the same grammar.
 *
 * Errors are `RuleSyntaxError`s that point at the offending character.
 */

import { TradingAlertsError } from '../errors.js'

/** A parse error, with the 0-based position of the offending character. */
export class RuleSyntaxError extends TradingAlertsError {
  override name = 'RuleSyntaxError'
  declare readonly code: 'RULE_SYNTAX'
  readonly position: number
  readonly source: string
  /** The problem alone, without the rule and caret lines. */
  readonly reason: string

  constructor(reason: string, source: string, position: number) {
    const at = Math.max(0, Math.min(position, source.length))
    super('RULE_SYNTAX', `${reason} at ${at + 1}\n  ${source}\n  ${' '.repeat(at)}^`)
    this.reason = reason
    this.position = at
    this.source = source
  }
}

export type Field = 'open' | 'high' | 'low' | 'close' | 'volume'
export const FIELDS: readonly Field[] = ['open', 'high', 'low', 'close', 'volume']

/** An indicator as written: `macd(12,26,9).signal` is `{ name: 'macd', params: [12, 26, 9], output: 'signal' }`. */
export interface IndicatorRef {
  /** Lower case, as in the registry (`rsi`, `linearreg_slope`). */
  readonly name: string
  /** The parameters given, in order; missing trailing ones take the indicator's defaults. */
  readonly params: readonly number[]
  /** The output named after the dot, for a multi-output indicator. */
  readonly output?: string | undefined
}

/** An indicator operand of a rule, or the result of `parseIndicator`. */
export interface IndicatorOperand extends IndicatorRef {
  readonly kind: 'indicator'
  readonly output: string | undefined
  /** Canonical text produced from the structure (`indicatorKey`): for lookups and storage. */
  readonly key: string
  readonly position: number
}

/** `name(p1,p2)` plus `.output` when given: the canonical text of an indicator. */
export function indicatorKey(ref: IndicatorRef): string {
  const params = ref.params.map((p) => String(p)).join(',')
  return `${ref.name}(${params})${ref.output === undefined ? '' : `.${ref.output}`}`
}

export type Operand =
  | { readonly kind: 'number'; readonly value: number; readonly position: number }
  | { readonly kind: 'field'; readonly field: Field; readonly position: number }
  | IndicatorOperand
  | {
      readonly kind: 'change'
      readonly durationMs: number
      /** Canonical text, e.g. `change(1h)`. */
      readonly key: string
      readonly position: number
    }

export type Comparison = '<' | '<=' | '>' | '>=' | '==' | '!='

export type BarCondition =
  | {
      readonly kind: 'compare'
      readonly op: Comparison
      readonly left: Operand
      readonly right: Operand
    }
  | {
      readonly kind: 'cross'
      readonly direction: 'above' | 'below'
      readonly left: Operand
      readonly right: Operand
    }

export type MarketCondition =
  | { readonly kind: 'enters-top' | 'leaves-top'; readonly n: number; readonly position: number }
  | { readonly kind: 'rank-rises' | 'rank-falls'; readonly by: number; readonly position: number }

type Logic<C> =
  C | { readonly kind: 'and' | 'or'; readonly left: Logic<C>; readonly right: Logic<C> }

export type BarExpr = Logic<BarCondition>
export type MarketExpr = Logic<MarketCondition>

export type Rule =
  | { readonly kind: 'bar'; readonly expr: BarExpr }
  | { readonly kind: 'market'; readonly expr: MarketExpr }

export interface ParseOptions {
  /** Returns a message when the indicator is not available, undefined when it is. */
  readonly isIndicator?: (
    name: string,
    params: readonly number[],
    output: string | undefined,
  ) => string | undefined
}

type Token =
  | { type: 'num'; text: string; value: number; pos: number }
  | { type: 'word'; text: string; pos: number }
  | { type: 'dur'; text: string; ms: number; pos: number }
  | { type: 'op'; text: string; pos: number }
  | { type: 'punct'; text: '(' | ')' | ',' | '.' | '%' | '-'; pos: number }
  | { type: 'end'; text: ''; pos: number }

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

/** `30m`, `4h`, `1d`, `1w` in milliseconds. @throws RuleSyntaxError */
export function parseDuration(text: string, source = text, position = 0): number {
  const m = /^(\d+)([a-z]+)$/i.exec(text)
  const unit = m?.[2]?.toLowerCase()
  const ms = unit === undefined ? undefined : UNIT_MS[unit]
  if (m === null || ms === undefined || Number(m[1]) <= 0) {
    throw new RuleSyntaxError(
      `"${text}" is not a duration: write a whole number and m, h, d or w, like 30m or 4h`,
      source,
      position,
    )
  }
  return Number(m[1]) * ms
}

function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['w', UNIT_MS.w],
    ['d', UNIT_MS.d],
    ['h', UNIT_MS.h],
    ['m', UNIT_MS.m],
  ] as const) {
    if (size !== undefined && ms % size === 0) return `${ms / size}${unit}`
  }
  return `${ms / 60_000}m`
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i] as string
    if (/\s/.test(c)) {
      i++
      continue
    }
    const rest = src.slice(i)
    const num = /^(\d+(?:\.\d+)?|\.\d+)(?:e[+-]?\d+)?/i.exec(rest)
    if (num !== null) {
      const after = rest.slice(num[0].length)
      const unit = /^[a-z]+/i.exec(after)
      if (unit !== null) {
        // 30m, 4h: a duration (validated where one is expected); 14abc: an error there too.
        tokens.push({ type: 'dur', text: num[0] + unit[0], ms: Number.NaN, pos: i })
        i += num[0].length + unit[0].length
      } else {
        tokens.push({ type: 'num', text: num[0], value: Number(num[0]), pos: i })
        i += num[0].length
      }
      continue
    }
    const word = /^[a-z_][a-z0-9_]*/i.exec(rest)
    if (word !== null) {
      tokens.push({ type: 'word', text: word[0].toLowerCase(), pos: i })
      i += word[0].length
      continue
    }
    const op = /^(<=|>=|==|!=|<|>)/.exec(rest)
    if (op !== null) {
      tokens.push({ type: 'op', text: op[0], pos: i })
      i += op[0].length
      continue
    }
    if ('(),.%-'.includes(c)) {
      tokens.push({ type: 'punct', text: c as '(' | ')' | ',' | '.' | '%' | '-', pos: i })
      i++
      continue
    }
    throw new RuleSyntaxError(`Unexpected "${c}"`, src, i)
  }
  tokens.push({ type: 'end', text: '', pos: src.length })
  return tokens
}

const COMPARE_HINT = 'a comparison (<, <=, >, >=, ==, !=) or "crosses"'

class Parser {
  private i = 0
  private readonly tokens: Token[]

  private readonly src: string
  private readonly options: ParseOptions
  /** What the source is, for "Unexpected end of …". */
  private readonly what: 'rule' | 'indicator'

  constructor(src: string, options: ParseOptions, what: 'rule' | 'indicator' = 'rule') {
    this.src = src
    this.options = options
    this.what = what
    this.tokens = tokenize(src)
  }

  private peek(): Token {
    return this.tokens[this.i] as Token
  }

  private next(): Token {
    return this.tokens[this.i++] as Token
  }

  private fail(token: Token, expected: string): never {
    const what = token.type === 'end' ? `end of ${this.what}` : `"${token.text}"`
    throw new RuleSyntaxError(`Unexpected ${what}: expected ${expected}`, this.src, token.pos)
  }

  private expectPunct(text: string, expected = `"${text}"`): Token {
    const t = this.next()
    if (t.type !== 'punct' || t.text !== text) this.fail(t, expected)
    return t
  }

  private expectWord(words: readonly string[], expected: string): string {
    const t = this.next()
    if (t.type !== 'word' || !words.includes(t.text)) this.fail(t, expected)
    return t.text
  }

  private wholeNumber(expected: string): number {
    const t = this.next()
    if (t.type !== 'num' || !Number.isInteger(t.value) || t.value < 1) this.fail(t, expected)
    return t.value
  }

  parse(): Rule {
    if (this.peek().type === 'end') this.fail(this.peek(), 'a condition, like rsi(14) < 30')
    const expr = this.or()
    const end = this.peek()
    if (end.type !== 'end') this.fail(end, '"and", "or" or the end of the rule')
    const kinds = new Set<string>()
    const walk = (e: BarExpr | MarketExpr): void => {
      if (e.kind === 'and' || e.kind === 'or') {
        walk(e.left)
        walk(e.right)
      } else kinds.add(e.kind === 'compare' || e.kind === 'cross' ? 'bar' : 'market')
    }
    walk(expr)
    if (kinds.size > 1) {
      const first = this.firstMarketPosition(expr)
      throw new RuleSyntaxError(
        'Market events (enters, leaves, rank) cannot be combined with price or indicator conditions; write two rules',
        this.src,
        first,
      )
    }
    return kinds.has('market')
      ? { kind: 'market', expr: expr as MarketExpr }
      : { kind: 'bar', expr: expr as BarExpr }
  }

  private firstMarketPosition(e: BarExpr | MarketExpr): number {
    if (e.kind === 'and' || e.kind === 'or') {
      const l = this.firstMarketPosition(e.left)
      return l >= 0 ? l : this.firstMarketPosition(e.right)
    }
    return 'position' in e ? e.position : -1
  }

  private or(): BarExpr | MarketExpr {
    let left = this.and()
    while (this.peek().type === 'word' && this.peek().text === 'or') {
      this.next()
      left = { kind: 'or', left, right: this.and() } as BarExpr | MarketExpr
    }
    return left
  }

  private and(): BarExpr | MarketExpr {
    let left = this.primary()
    while (this.peek().type === 'word' && this.peek().text === 'and') {
      this.next()
      left = { kind: 'and', left, right: this.primary() } as BarExpr | MarketExpr
    }
    return left
  }

  private primary(): BarExpr | MarketExpr {
    const t = this.peek()
    if (t.type === 'punct' && t.text === '(') {
      this.next()
      const inner = this.or()
      this.expectPunct(')', '")"')
      return inner
    }
    if (t.type === 'word' && (t.text === 'enters' || t.text === 'leaves')) {
      this.next()
      this.expectWord(['top'], '"top"')
      const n = this.wholeNumber('a whole number, like 10')
      return { kind: t.text === 'enters' ? 'enters-top' : 'leaves-top', n, position: t.pos }
    }
    if (t.type === 'word' && t.text === 'rank') {
      this.next()
      const dir = this.expectWord(['rises', 'falls'], '"rises" or "falls"')
      this.expectWord(['by'], '"by"')
      const by = this.wholeNumber('a whole number of places, like 5')
      return { kind: dir === 'rises' ? 'rank-rises' : 'rank-falls', by, position: t.pos }
    }
    return this.condition()
  }

  private condition(): BarCondition {
    const left = this.operand()
    const t = this.next()
    if (t.type === 'op') {
      return { kind: 'compare', op: t.text as Comparison, left, right: this.operand() }
    }
    if (t.type === 'word' && t.text === 'crosses') {
      const direction = this.expectWord(['above', 'below'], '"above" or "below"')
      return {
        kind: 'cross',
        direction: direction as 'above' | 'below',
        left,
        right: this.operand(),
      }
    }
    return this.fail(t, COMPARE_HINT)
  }

  private operand(): Operand {
    const t = this.next()
    const expected =
      'a number, a price (open, high, low, close, volume), an indicator like rsi(14) or change(1h)'
    if (t.type === 'punct' && t.text === '-') {
      const n = this.next()
      if (n.type !== 'num') this.fail(n, 'a number')
      return this.percent({ kind: 'number', value: -n.value, position: t.pos })
    }
    if (t.type === 'num') return this.percent({ kind: 'number', value: t.value, position: t.pos })
    if (t.type !== 'word') return this.fail(t, expected)
    if ((FIELDS as readonly string[]).includes(t.text)) {
      return { kind: 'field', field: t.text as Field, position: t.pos }
    }
    if (t.text === 'change') {
      this.expectPunct('(', '"(" after change')
      const d = this.next()
      if (d.type !== 'dur') this.fail(d, 'a duration, like 1h')
      const ms = parseDuration(d.text, this.src, d.pos)
      this.expectPunct(')', '")"')
      return {
        kind: 'change',
        durationMs: ms,
        key: `change(${formatDuration(ms)})`,
        position: t.pos,
      }
    }
    const open = this.peek()
    if (open.type !== 'punct' || open.text !== '(') {
      throw new RuleSyntaxError(`Unknown word "${t.text}": expected ${expected}`, this.src, t.pos)
    }
    return this.indicator(t)
  }

  /**
   * `name(p1,…)` and an optional `.output` after the word `t`; with `bare`, `name` alone (all
   * defaults) too.
   */
  private indicator(t: Token, bare = false): IndicatorOperand {
    const params: number[] = []
    const open = this.peek()
    const parens = open.type === 'punct' && open.text === '('
    if (!parens && !bare) this.fail(open, '"("')
    if (parens) this.next()
    if (parens && this.peek().type === 'punct' && this.peek().text === ')') this.next()
    else if (parens) {
      for (;;) {
        const p = this.next()
        let sign = 1
        let num = p
        if (p.type === 'punct' && p.text === '-') {
          sign = -1
          num = this.next()
        }
        if (num.type !== 'num') this.fail(num, 'a number')
        params.push(sign * num.value)
        const sep = this.next()
        if (sep.type === 'punct' && sep.text === ')') break
        if (sep.type !== 'punct' || sep.text !== ',') this.fail(sep, '"," or ")"')
      }
    }
    let output: string | undefined
    if (this.peek().type === 'punct' && this.peek().text === '.') {
      this.next()
      const o = this.next()
      if (o.type !== 'word') this.fail(o, 'the name of an output, like histogram')
      output = o.text
    }
    const message = this.options.isIndicator?.(t.text, params, output)
    if (message !== undefined) throw new RuleSyntaxError(message, this.src, t.pos)
    const ref = { name: t.text, params, output }
    return { kind: 'indicator', ...ref, key: indicatorKey(ref), position: t.pos }
  }

  /** The whole source as one indicator: `rsi(14)`, `macd(12,26,9).signal`, `rsi`. */
  parseIndicator(): IndicatorOperand {
    const t = this.next()
    const expected = 'an indicator, like rsi(14) or macd(12,26,9).signal'
    if (t.type !== 'word') return this.fail(t, expected)
    if ((FIELDS as readonly string[]).includes(t.text) || t.text === 'change') {
      throw new RuleSyntaxError(
        `"${t.text}" is not an indicator: expected ${expected}`,
        this.src,
        t.pos,
      )
    }
    const operand = this.indicator(t, true)
    const end = this.peek()
    if (end.type !== 'end') this.fail(end, 'the end of the indicator')
    return operand
  }

  private percent(o: Operand): Operand {
    if (this.peek().type === 'punct' && this.peek().text === '%') this.next()
    return o
  }
}

/** Parses a rule. @throws RuleSyntaxError pointing at the offending character. */
export function parseRule(text: string, options: ParseOptions = {}): Rule {
  return new Parser(text, options).parse()
}

/**
 * Parses an indicator given as text (configuration, an HTTP query's `name=rsi(14)`) with the
 * rule language's grammar: `rsi(14)`, `macd(12,26,9).signal`, or a bare `rsi` for every parameter
 * at its default. `options.isIndicator` checks it as in a rule.
 *
 * @throws RuleSyntaxError pointing at the offending character.
 */
export function parseIndicator(text: string, options: ParseOptions = {}): IndicatorOperand {
  return new Parser(text, options, 'indicator').parseIndicator()
}

function formatOperand(o: Operand): string {
  switch (o.kind) {
    case 'number':
      return String(o.value)
    case 'field':
      return o.field
    case 'indicator':
    case 'change':
      return o.key
  }
}

function formatExpr(e: BarExpr | MarketExpr, parent?: 'and' | 'or'): string {
  switch (e.kind) {
    case 'and':
    case 'or': {
      const s = `${formatExpr(e.left, e.kind)} ${e.kind} ${formatExpr(e.right, e.kind)}`
      return parent === 'and' && e.kind === 'or' ? `(${s})` : s
    }
    case 'compare':
      return `${formatOperand(e.left)} ${e.op} ${formatOperand(e.right)}`
    case 'cross':
      return `${formatOperand(e.left)} crosses ${e.direction} ${formatOperand(e.right)}`
    case 'enters-top':
      return `enters top ${e.n}`
    case 'leaves-top':
      return `leaves top ${e.n}`
    case 'rank-rises':
      return `rank rises by ${e.by}`
    case 'rank-falls':
      return `rank falls by ${e.by}`
  }
}

/** The rule in canonical form (lower case, single spaces); parsing it gives the same rule. */
export function formatRule(rule: Rule): string {
  return formatExpr(rule.expr)
}

function operands(e: BarExpr): Operand[] {
  if (e.kind === 'compare' || e.kind === 'cross') return [e.left, e.right]
  return [...operands(e.left), ...operands(e.right)]
}

/** The indicators a bar rule reads, one per key, sorted by key; fields and change() are not included. */
export function indicatorOperands(rule: Rule): IndicatorOperand[] {
  if (rule.kind !== 'bar') return []
  const byKey = new Map<string, IndicatorOperand>()
  for (const o of operands(rule.expr)) {
    if (o.kind === 'indicator' && !byKey.has(o.key)) byKey.set(o.key, o)
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

/** The keys of `indicatorOperands` (unique, sorted): what `evaluateBar` reads besides the fields. */
export function seriesKeys(rule: Rule): string[] {
  return indicatorOperands(rule).map((o) => o.key)
}

function maxOffsetOf(e: BarExpr, timeframeMs: number, source: string): number {
  if (e.kind === 'and' || e.kind === 'or') {
    return Math.max(
      maxOffsetOf(e.left, timeframeMs, source),
      maxOffsetOf(e.right, timeframeMs, source),
    )
  }
  let max = e.kind === 'cross' ? 1 : 0
  for (const o of [e.left, e.right]) {
    if (o.kind !== 'change') continue
    if (o.durationMs % timeframeMs !== 0 || o.durationMs < timeframeMs) {
      throw new RuleSyntaxError(
        `${o.key} is not a whole number of ${formatDuration(timeframeMs)} bars`,
        source,
        o.position,
      )
    }
    max = Math.max(max, o.durationMs / timeframeMs)
  }
  return max
}

/**
 * Checks a bar rule against a timeframe (every change() window a whole number of bars) and returns
 * how many previous bars its evaluation needs. @throws RuleSyntaxError
 */
export function bindRule(rule: Rule, timeframeMs: number): { maxOffset: number } {
  if (rule.kind !== 'bar') return { maxOffset: 0 }
  return { maxOffset: maxOffsetOf(rule.expr, timeframeMs, formatRule(rule)) }
}

/** Reads a series at a bar: offset 0 is the bar evaluated, 1 the bar before. */
export type SeriesReader = (key: string, offset: number) => number | undefined

class Missing extends Error {}

/**
 * Evaluates a bar rule at one closed bar. Returns undefined when a value it needs is missing or
 * NaN (a rule never fires on missing data), else whether it fired and the value of every operand
 * at the bar (by key: `close`, `rsi(14)`, `change(1h)`).
 *
 * `a crosses above b` ⇔ a[1] ≤ b[1] and a[0] > b[0]; `crosses below` ⇔ a[1] ≥ b[1] and a[0] < b[0];
 * change(w) = 100·(close[0] − close[n]) / close[n] with n = w / timeframe.
 */
export function evaluateBar(
  rule: Rule,
  timeframeMs: number,
  get: SeriesReader,
): { fired: boolean; values: Record<string, number> } | undefined {
  if (rule.kind !== 'bar') return undefined
  const values: Record<string, number> = {}
  const read = (o: Operand, offset: number): number => {
    let v: number | undefined
    switch (o.kind) {
      case 'number':
        return o.value
      case 'field':
        v = get(o.field, offset)
        break
      case 'indicator':
        v = get(o.key, offset)
        break
      case 'change': {
        const n = o.durationMs / timeframeMs
        const now = get('close', offset)
        const then = get('close', offset + n)
        v =
          now === undefined || then === undefined || then === 0
            ? undefined
            : (100 * (now - then)) / then
        break
      }
    }
    if (v === undefined || Number.isNaN(v)) throw new Missing()
    if (offset === 0) values[o.kind === 'field' ? o.field : o.key] = v
    return v
  }
  const cmp = (op: Comparison, a: number, b: number): boolean => {
    switch (op) {
      case '<':
        return a < b
      case '<=':
        return a <= b
      case '>':
        return a > b
      case '>=':
        return a >= b
      case '==':
        return a === b
      case '!=':
        return a !== b
    }
  }
  const evaluate = (e: BarExpr): boolean => {
    switch (e.kind) {
      case 'and': {
        const l = evaluate(e.left)
        return evaluate(e.right) && l
      }
      case 'or': {
        const l = evaluate(e.left)
        return evaluate(e.right) || l
      }
      case 'compare':
        return cmp(e.op, read(e.left, 0), read(e.right, 0))
      case 'cross': {
        const a0 = read(e.left, 0)
        const b0 = read(e.right, 0)
        const a1 = read(e.left, 1)
        const b1 = read(e.right, 1)
        return e.direction === 'above' ? a1 <= b1 && a0 > b0 : a1 >= b1 && a0 < b0
      }
    }
  }
  try {
    return { fired: evaluate(rule.expr), values }
  } catch (error) {
    if (error instanceof Missing) return undefined
    throw error
  }
}

/**
 * Evaluates a market rule for one coin between two daily snapshots. `previous` undefined or a
 * null rank: the coin was not ranked. `enters top N` ⇔ not in the top N before and in it now;
 * `rank rises by K` ⇔ ranked both days and up K places or more.
 */
export function evaluateMarket(
  rule: Rule,
  previous: { readonly rank: number | null } | undefined,
  current: { readonly rank: number | null },
): boolean {
  if (rule.kind !== 'market') return false
  const before = previous?.rank ?? null
  const now = current.rank
  const evaluate = (e: MarketExpr): boolean => {
    switch (e.kind) {
      case 'and':
        return evaluate(e.left) && evaluate(e.right)
      case 'or':
        return evaluate(e.left) || evaluate(e.right)
      case 'enters-top':
        return (before === null || before > e.n) && now !== null && now <= e.n
      case 'leaves-top':
        return before !== null && before <= e.n && (now === null || now > e.n)
      case 'rank-rises':
        return before !== null && now !== null && before - now >= e.by
      case 'rank-falls':
        return before !== null && now !== null && now - before >= e.by
    }
  }
  return evaluate(rule.expr)
}
