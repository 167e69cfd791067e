import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TradingAlertsError } from '../errors.js'
import {
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
} from '../testing/create-test-database.js'
import {
  createApiToken,
  ensureFirstToken,
  hashApiToken,
  listApiTokens,
  revokeApiToken,
  tokensEqual,
  verifyApiToken,
} from './tokens.js'

const kinds = await testDatabaseKinds()
const T0 = Date.parse('2026-03-04T10:00:00Z')

describe.each(kinds)('API tokens on %s', (kind) => {
  let database: TestDatabase
  let t = T0
  const clock = { now: () => new Date(t) }
  beforeAll(async () => {
    database = await createTestDatabase(kind)
  })
  afterAll(async () => {
    await database?.close()
  })

  it('the first start creates one admin token, only once, and only its hash is stored', async () => {
    const first = await ensureFirstToken(database.db, clock)
    expect(first).toMatchObject({ name: 'first-start', scope: 'admin', revokedAt: null })
    expect(first?.token).toMatch(/^ta_[A-Za-z0-9_-]{43}$/)
    expect(await ensureFirstToken(database.db, clock)).toBeNull()
    const rows = await database.db.selectFrom('api_token').selectAll().execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]?.hash).toBe(hashApiToken(first?.token as string))
    expect(JSON.stringify(rows)).not.toContain(first?.token)
  })

  it('verifies tokens by scope, stamps last use at most once a minute, refuses revoked ones', async () => {
    const read = await createApiToken(database.db, { name: 'dash', scope: 'read' }, clock)
    expect(await verifyApiToken(database.db, read.token, clock)).toEqual({
      id: read.id,
      name: 'dash',
      scope: 'read',
    })
    const used = async () =>
      (await listApiTokens(database.db)).find((x) => x.id === read.id)?.lastUsedAt?.getTime()
    expect(await used()).toBe(T0)
    t = T0 + 30_000
    await verifyApiToken(database.db, read.token, clock)
    expect(await used()).toBe(T0)
    t = T0 + 61_000
    await verifyApiToken(database.db, read.token, clock)
    expect(await used()).toBe(T0 + 61_000)
    for (const bad of [
      `${read.token}x`,
      read.token.slice(0, -1),
      'ta_',
      '',
      hashApiToken(read.token),
    ]) {
      expect(await verifyApiToken(database.db, bad, clock)).toBeNull()
    }
    expect(await revokeApiToken(database.db, String(read.id), clock)).toBe(1)
    expect(await verifyApiToken(database.db, read.token, clock)).toBeNull()
    await expect(revokeApiToken(database.db, 'dash', clock)).rejects.toThrow(TradingAlertsError)
    // A revoked token still counts: no new first-start token.
    expect(await ensureFirstToken(database.db, clock)).toBeNull()
  })

  it('rejects a bad scope or name without writing', async () => {
    const before = (await listApiTokens(database.db)).length
    await expect(
      createApiToken(database.db, { name: 'x', scope: 'root' }, clock),
    ).rejects.toMatchObject({ code: 'INVALID_OPTION' })
    await expect(
      createApiToken(database.db, { name: 'no spaces', scope: 'read' }, clock),
    ).rejects.toMatchObject({ code: 'INVALID_OPTION' })
    expect(await listApiTokens(database.db)).toHaveLength(before)
  })

  it('tokensEqual compares whole tokens', () => {
    expect(tokensEqual('ta_abc', 'ta_abc')).toBe(true)
    expect(tokensEqual('ta_abc', 'ta_abd')).toBe(false)
    expect(tokensEqual('ta_ab', 'ta_abc')).toBe(false)
  })
})
