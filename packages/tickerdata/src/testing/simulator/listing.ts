import { createHash } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { pad2, periodBounds, utcDate, type Archive, type ArchiveKind } from './archive.js'
import type { SimContext } from './context.js'
import { escapeXml, send } from './http.js'

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/'

/** The archive's S3 bucket listing (ListObjects v1, with prefixes, delimiter and markers). */
export function createListing(
  ctx: SimContext,
  archive: Archive,
): (res: ServerResponse, query: URLSearchParams) => void {
  const { market, now, options } = ctx
  const { isPublished, publishedAt } = archive
  const listingPageSize = options.listingPageSize ?? 1000

  /** Every published key under a prefix, sorted as S3 lists them. */
  function listingKeys(prefix: string): { keys: string[]; prefixes: string[] } {
    const m = /^data\/spot\/(monthly|daily)\/klines\/(?:([A-Z0-9]+)\/(?:1m\/)?)?$/.exec(prefix)
    if (m === null) return { keys: [], prefixes: [] }
    const kind = m[1] as ArchiveKind
    const symbol = m[2]
    if (symbol === undefined) {
      return {
        keys: [],
        prefixes: market.symbols.map((s) => `data/spot/${kind}/klines/${s}/`).sort(),
      }
    }
    if (!market.hasSymbol(symbol)) return { keys: [], prefixes: [] }
    if (!prefix.endsWith('1m/'))
      return { keys: [], prefixes: [`data/spot/${kind}/klines/${symbol}/1m/`] }
    const spec = market.pair(symbol)
    if (spec === undefined) return { keys: [], prefixes: [] }
    const keys: string[] = []
    const t = now()
    for (let start = spec.listedAt; start < t;) {
      const { y, m: mo, d } = utcDate(start)
      const period = kind === 'monthly' ? `${y}-${pad2(mo)}` : `${y}-${pad2(mo)}-${pad2(d)}`
      const bounds = periodBounds(period)
      if (bounds === null) break
      if (isPublished(kind, symbol, period)) {
        const name = `${prefix}${symbol}-1m-${period}.zip`
        keys.push(name, `${name}.CHECKSUM`)
      }
      start = bounds.end
    }
    return { keys: keys.sort(), prefixes: [] }
  }

  function handleListing(res: ServerResponse, query: URLSearchParams): void {
    const prefix = query.get('prefix') ?? ''
    const delimiter = query.get('delimiter')
    const marker = query.get('marker') ?? ''
    const maxKeys = Math.min(
      listingPageSize,
      Number(query.get('max-keys') ?? listingPageSize) || listingPageSize,
    )
    const { keys, prefixes } = listingKeys(prefix)
    const entries = [
      ...keys.map((k) => ({ k, isPrefix: false })),
      ...prefixes.map((k) => ({ k, isPrefix: true })),
    ]
      .filter((e) => e.k > marker)
      .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    const page = entries.slice(0, maxKeys)
    const truncated = entries.length > page.length
    const xml: string[] = [
      '<?xml version="1.0" encoding="UTF-8"?>\n',
      `<ListBucketResult xmlns="${S3_NS}"><Name>data.binance.vision</Name><Prefix>${escapeXml(prefix)}</Prefix><Marker>${escapeXml(marker)}</Marker>`,
    ]
    if (truncated && delimiter !== null) {
      xml.push(`<NextMarker>${escapeXml(page[page.length - 1]?.k ?? '')}</NextMarker>`)
    }
    xml.push(`<MaxKeys>${maxKeys}</MaxKeys>`)
    if (delimiter !== null) xml.push(`<Delimiter>${escapeXml(delimiter)}</Delimiter>`)
    xml.push(`<IsTruncated>${truncated}</IsTruncated>`)
    for (const e of page) {
      if (e.isPrefix) {
        xml.push(`<CommonPrefixes><Prefix>${escapeXml(e.k)}</Prefix></CommonPrefixes>`)
        continue
      }
      const isChecksum = e.k.endsWith('.CHECKSUM')
      const periodMatch = /-1m-(\d{4}-\d{2}(?:-\d{2})?)\.zip/.exec(e.k)
      const period = periodMatch?.[1] ?? ''
      const kind = e.k.includes('/monthly/') ? 'monthly' : 'daily'
      const symbol = /klines\/([A-Z0-9]+)\//.exec(e.k)?.[1] ?? ''
      const modified = new Date(publishedAt(kind, symbol, period) ?? 0).toISOString()
      const etag = createHash('md5').update(e.k).digest('hex')
      // Sizes are those of the cached file when it was built already, else an estimate (documented).
      const cached = archive.cached(e.k.split('/').pop()?.replace('.CHECKSUM', '') ?? '')
      const size = isChecksum
        ? 92
        : (cached?.zip.length ?? (kind === 'monthly' ? 1_900_000 : 63_000))
      xml.push(
        `<Contents><Key>${escapeXml(e.k)}</Key><LastModified>${modified}</LastModified><ETag>&quot;${etag}&quot;</ETag><Size>${size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      )
    }
    xml.push('</ListBucketResult>')
    send(res, 200, xml.join(''), { 'content-type': 'application/xml' })
  }

  return handleListing
}
