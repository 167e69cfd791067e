import type { ServerResponse } from 'node:http'

/** Writes one whole answer with its content-length. */
export function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  const payload = typeof body === 'string' ? Buffer.from(body) : body
  res.writeHead(status, { 'content-length': String(payload.length), ...headers })
  res.end(payload)
}

export const json = (value: unknown): string => JSON.stringify(value)

/** Binance's JSON error body: `{"code":-1121,"msg":"Invalid symbol."}`. */
export function binanceError(
  res: ServerResponse,
  status: number,
  code: number,
  msg: string,
  extra = {},
): void {
  send(res, status, json({ code, msg }), {
    'content-type': 'application/json;charset=UTF-8',
    ...extra,
  })
}

/** CoinGecko's answer to a caller over its rate limit (the public API's own words). */
export function coingeckoRateLimited(res: ServerResponse): void {
  send(
    res,
    429,
    json({
      status: {
        error_code: 429,
        error_message:
          "You've exceeded the Rate Limit. Please visit https://www.coingecko.com/en/api/pricing to subscribe to our API plans for higher rate limits.",
      },
    }),
    { 'content-type': 'application/json' },
  )
}

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

/** S3's answer for a key that does not exist. */
export function notFound(res: ServerResponse, key: string): void {
  send(
    res,
    404,
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${escapeXml(key)}</Key></Error>`,
    { 'content-type': 'application/xml' },
  )
}

export function delay(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms))
}
