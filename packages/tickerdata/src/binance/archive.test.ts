import { readFileSync } from 'node:fs'
import { deflateRawSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { ArchiveFormatError } from '../errors.js'
import { zipSingleFile } from '../testing/zip.js'
import {
  archiveFileUrl,
  columnsToKlines,
  parseArchivePeriod,
  parseChecksumFile,
  parseKlineCsv,
  parseS3Listing,
  unzipSingleFile,
} from './archive.js'

const fixture = (name: string) => readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url))

describe('parseKlineCsv on the real samples of shared/realdata', () => {
  it('reads a 2023 millisecond row and a 2025 microsecond row to the same millisecond shape', () => {
    const bytes = fixture('binance_spot_klines_1m_BTCUSDT_single_rows_2023_vs_2025.csv')
    // The two rows are years apart: one file per row, as the archive would have them.
    const [a, b] = bytes.toString('latin1').trim().split('\n')
    const first = columnsToKlines(parseKlineCsv(Buffer.from(`${a}\n`), { fileName: 'a.csv' }))
    const second = columnsToKlines(parseKlineCsv(Buffer.from(`${b}\n`), { fileName: 'b.csv' }))
    expect(first[0]).toEqual({
      openTime: 1672531200000,
      open: '16541.77000000',
      high: '16544.76000000',
      low: '16538.45000000',
      close: '16543.67000000',
      volume: '83.08143000',
      closeTime: 1672531259999,
      quoteVolume: '1374268.84886160',
      trades: 2687,
      takerBuyBaseVolume: '40.18369000',
      takerBuyQuoteVolume: '664706.01106360',
    })
    expect(second[0]?.openTime).toBe(1735689600000)
    expect(second[0]?.closeTime).toBe(1735689659999)
    expect(second[0]?.close).toBe('93610.93000000')
  })

  it('reads the 1s DOGEUSDT microsecond sample, zero-trade second included', () => {
    const columns = parseKlineCsv(
      fixture('binance_spot_klines_1s_DOGEUSDT_2025-01-01_first3rows_MICROSECONDS.csv'),
      { fileName: 'DOGEUSDT-1s-2025-01-01.csv', interval: '1s' },
    )
    const rows = columnsToKlines(columns)
    expect(rows.map((r) => r.openTime)).toEqual([1735689600000, 1735689601000, 1735689602000])
    expect(rows[2]).toMatchObject({ trades: 0, volume: '0.00000000', closeTime: 1735689602999 })
  })

  it('reads the 1h spot sample', () => {
    const rows = columnsToKlines(
      parseKlineCsv(fixture('binance_spot_klines_1h_BTCUSDT_2023-10-27_first3rows.csv'), {
        fileName: 'BTCUSDT-1h-2023-10-27.csv',
        interval: '1h',
        ...parseBoundsOf('2023-10-27'),
      }),
    )
    expect(rows).toHaveLength(3)
    expect(rows[0]?.openTime).toBe(Date.UTC(2023, 9, 27))
  })

  it('skips the header line of futures files', () => {
    const rows = columnsToKlines(
      parseKlineCsv(
        fixture('binance_futures_cm_klines_1h_BTCUSD_PERP_2023-10-27_first3rows_with_header.csv'),
        { fileName: 'BTCUSD_PERP-1h-2023-10-27.csv', interval: '1h' },
      ),
    )
    expect(rows).toHaveLength(3)
    expect(rows[0]).toMatchObject({ open: '34161.6', volume: '409953', trades: 15095 })
  })

  it('reads the headerless 2021 futures month head', () => {
    const columns = parseKlineCsv(
      fixture('binance_futures_um_klines_1m_BTCUSDT_2021-01_head20_NOHEADER.csv'),
      { fileName: 'BTCUSDT-1m-2021-01.csv', ...parseBoundsOf('2021-01') },
    )
    expect(columns.length).toBe(20)
    expect(columns.openTime[19]).toBe(Date.UTC(2021, 0, 1, 0, 19))
  })

  it('reads the 2025 futures month head (with header) and tail, which stayed in milliseconds', () => {
    const text = fixture('binance_futures_um_klines_1m_BTCUSDT_2025-01_head21_tail8.csv').toString()
    const [head = '', tail = ''] = text.split('...\n')
    const bounds = parseBoundsOf('2025-01')
    const h = parseKlineCsv(Buffer.from(head), { fileName: 'head.csv', ...bounds })
    const t = parseKlineCsv(Buffer.from(tail), { fileName: 'tail.csv', ...bounds })
    expect(h.length).toBe(20)
    expect(t.length).toBe(8)
    expect(t.openTime[7]).toBe(1738367940000)
  })
})

function parseBoundsOf(period: string) {
  const p = parseArchivePeriod(period)
  return { periodStart: p.start, periodEnd: p.end }
}

describe('parseKlineCsv validation', () => {
  const good = '1704067200000,1.0,2.0,0.5,1.5,10.0,1704067259999,15.0,3,5.0,7.5,0\n'
  const parse = (csv: string) =>
    parseKlineCsv(Buffer.from(csv), { fileName: 'X-1m-2024-01.csv', ...parseBoundsOf('2024-01') })
  const failure = (csv: string): ArchiveFormatError => {
    try {
      parse(csv)
    } catch (error) {
      if (error instanceof ArchiveFormatError) return error
      throw error
    }
    throw new Error('expected an ArchiveFormatError')
  }

  it('accepts CRLF line endings and a missing final newline', () => {
    expect(parse(good.replace('\n', '\r\n')).length).toBe(1)
    expect(parse(good.trimEnd()).length).toBe(1)
  })

  it('accepts an exchange gap (steps of several minutes)', () => {
    const later = good
      .replace('1704067200000', '1704067500000')
      .replace('1704067259999', '1704067559999')
    expect(parse(good + later).length).toBe(2)
  })

  it('names the file and the line of a row with 11 columns', () => {
    const error = failure(
      good +
        good
          .replace(',0\n', '\n')
          .replace('1704067200000', '1704067260000')
          .replace('1704067259999', '1704067319999'),
    )
    expect(error.line).toBe(2)
    expect(error.message).toMatch(/X-1m-2024-01\.csv, line 2: expected 12 columns/)
  })

  it('rejects a non-numeric field', () => {
    expect(failure(good.replace('2.0', '2.0x')).message).toMatch(/line 1: column 3 is not a number/)
    expect(failure(good.replace('2.0', '')).message).toMatch(/column 3 is not a number/)
    expect(failure(good.replace('2.0', '2..0')).message).toMatch(/column 3 is not a number/)
  })

  it('rejects open times that repeat, go backwards or leave the minute grid', () => {
    expect(failure(good + good).message).toMatch(/line 2: open times are not strictly increasing/)
    const offGrid = good
      .replace('1704067200000', '1704067200001')
      .replace('1704067259999', '1704067260000')
    expect(failure(offGrid).message).toMatch(/not on the 1m grid/)
  })

  it('rejects a close time that is not open + 59.999 s', () => {
    expect(failure(good.replace('1704067259999', '1704067260000')).message).toMatch(/close time/)
  })

  it('rejects rows outside the file period', () => {
    const december = good
      .replace('1704067200000', '1704067140000')
      .replace('1704067259999', '1704067199999')
    expect(failure(december).message).toMatch(/outside the file's period/)
  })

  it('rejects an empty line inside the file', () => {
    const next = good
      .replace('1704067200000', '1704067260000')
      .replace('1704067259999', '1704067319999')
    expect(failure(`${good}\n${next}`).line).toBe(2)
  })
})

describe('checksums, zips and listings', () => {
  it('reads the real 91-byte CHECKSUM file without a trailing newline', () => {
    const text = fixture('BTCUSDT-1m-2025-04-11.zip.CHECKSUM').toString()
    expect(text.length).toBe(91)
    expect(parseChecksumFile(text, 'BTCUSDT-1m-2025-04-11.zip')).toBe(
      '2f79af36e0ab40e450368ff23a8970072bf205f01ee2af460268177068e4bc98',
    )
  })

  it('rejects a CHECKSUM naming another file', () => {
    const text = fixture('BTCUSDT-1m-2025-04-11.zip.CHECKSUM').toString()
    expect(() => parseChecksumFile(text, 'BTCUSDT-1m-2025-04-12.zip')).toThrow(ArchiveFormatError)
    expect(() => parseChecksumFile('not a checksum', 'x.zip')).toThrow(/64 hex/)
  })

  it('unzips a single-entry zip and rejects corrupt ones with a typed error', () => {
    const content = Buffer.from('hello,world\n'.repeat(1000))
    const zip = zipSingleFile('a.csv', content, new Date(Date.UTC(2024, 0, 1)))
    expect(unzipSingleFile(zip, 'a.zip').equals(content)).toBe(true)
    const garbled = Buffer.from(zip)
    for (let i = 40; i < 60; i++) garbled[i] = (garbled[i] ?? 0) ^ 0xff
    expect(() => unzipSingleFile(garbled, 'a.zip')).toThrow(ArchiveFormatError)
    expect(() => unzipSingleFile(Buffer.from('PK junk'), 'a.zip')).toThrow(/not a zip/)
    expect(deflateRawSync(content).length).toBeLessThan(content.length)
  })

  it('builds archive URLs exactly as data.binance.vision names them', () => {
    expect(archiveFileUrl('https://data.binance.vision/', 'BTCUSDT', '1m', '2024-03')).toBe(
      'https://data.binance.vision/data/spot/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2024-03.zip',
    )
    expect(archiveFileUrl('https://data.binance.vision', 'BTCUSDT', '1m', '2024-03-05')).toBe(
      'https://data.binance.vision/data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-03-05.zip',
    )
    expect(() => parseArchivePeriod('2024-13')).toThrow(RangeError)
    expect(() => parseArchivePeriod('2024-02-30')).toThrow(RangeError)
  })

  it('parses an S3 ListBucketResult page with its continuation marker', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>data.binance.vision</Name><Prefix>data/spot/monthly/klines/</Prefix><Marker></Marker><NextMarker>data/spot/monthly/klines/ADAUSDT/</NextMarker><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated><Contents><Key>a&amp;b.zip</Key><LastModified>2024-02-01T07:00:12.000Z</LastModified><ETag>&quot;x&quot;</ETag><Size>123</Size><StorageClass>STANDARD</StorageClass></Contents><CommonPrefixes><Prefix>data/spot/monthly/klines/ADAUSDT/</Prefix></CommonPrefixes></ListBucketResult>'
    const page = parseS3Listing(xml)
    expect(page.keys).toEqual([
      { key: 'a&b.zip', size: 123, lastModified: '2024-02-01T07:00:12.000Z' },
    ])
    expect(page.prefixes).toEqual(['data/spot/monthly/klines/ADAUSDT/'])
    expect(page.isTruncated).toBe(true)
    expect(page.nextMarker).toBe('data/spot/monthly/klines/ADAUSDT/')
    expect(() => parseS3Listing('<html>')).toThrow(ArchiveFormatError)
  })
})
