import { sql, type Kysely, type Migration } from 'kysely'

/**
 * Migrations in code: one list for the runner, the CLI and the tests. Each takes `Kysely<unknown>`
 * so it never depends on today's schema types. Never destructive to data already loaded.
 */
export const migrations: Record<string, Migration> = {
  '0001_market_data': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('symbol')
        .addColumn('symbol', 'text', (c) => c.primaryKey())
        .addColumn('base_asset', 'text', (c) => c.notNull())
        .addColumn('quote_asset', 'text', (c) => c.notNull())
        .addColumn('coingecko_id', 'text')
        .addColumn('name', 'text')
        .addColumn('market_cap_rank', 'integer')
        .addColumn('market_cap_usd', 'numeric')
        .addColumn('in_top_n', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
        .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
        .addColumn('last_updated_at', 'timestamptz')
        .execute()

      await db.schema
        .createTable('top_coin_snapshot')
        .addColumn('day', 'date', (c) => c.notNull())
        .addColumn('coingecko_id', 'text', (c) => c.notNull())
        .addColumn('rank', 'integer')
        .addColumn('coin_symbol', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('market_cap_usd', 'numeric')
        .addColumn('price_usd', 'numeric')
        .addColumn('volume_usd', 'numeric')
        .addColumn('pair', 'text')
        .addColumn('excluded_reason', 'text')
        .addPrimaryKeyConstraint('top_coin_snapshot_pk', ['day', 'coingecko_id'])
        .execute()

      // The hot table. The primary key (symbol, open_time) serves every query the jobs make:
      // newest candle per symbol, a symbol's range, and the historical selection (written in
      // terms of open_time, since close_time = open_time + 59.999 s). No other index: each one
      // would slow the COPY that fills it.
      await db.schema
        .createTable('tickerdata_1m')
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('open_time', 'timestamptz', (c) => c.notNull())
        .addColumn('open', 'numeric', (c) => c.notNull())
        .addColumn('high', 'numeric', (c) => c.notNull())
        .addColumn('low', 'numeric', (c) => c.notNull())
        .addColumn('close', 'numeric', (c) => c.notNull())
        .addColumn('volume', 'numeric', (c) => c.notNull())
        .addColumn('close_time', 'timestamptz', (c) => c.notNull())
        .addColumn('quote_volume', 'numeric', (c) => c.notNull())
        .addColumn('trades', 'integer', (c) => c.notNull())
        .addColumn('taker_buy_base_volume', 'numeric', (c) => c.notNull())
        .addColumn('taker_buy_quote_volume', 'numeric', (c) => c.notNull())
        .addPrimaryKeyConstraint('tickerdata_1m_pk', ['symbol', 'open_time'])
        .execute()

      await db.schema
        .createTable('archive_file')
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('interval', 'text', (c) => c.notNull())
        .addColumn('period_kind', 'text', (c) => c.notNull())
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text')
        .addColumn('rows', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('loaded_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('archive_file_pk', ['symbol', 'interval', 'period_kind', 'period'])
        .execute()

      await db.schema
        .createTable('exchange_gap')
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('start_time', 'timestamptz', (c) => c.notNull())
        .addColumn('end_time', 'timestamptz', (c) => c.notNull())
        .addColumn('detected_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('exchange_gap_pk', ['symbol', 'start_time'])
        .execute()

      await db.schema
        .createTable('job_run')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('job', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('started_at', 'timestamptz', (c) => c.notNull())
        .addColumn('finished_at', 'timestamptz')
        .addColumn('params', 'jsonb', (c) => c.notNull())
        .addColumn('summary', 'jsonb')
        .addColumn('error', 'text')
        .addColumn('host', 'text')
        .execute()
      await db.schema
        .createIndex('job_run_job_started')
        .on('job_run')
        .columns(['job', 'started_at'])
        .execute()

      await db.schema
        .createTable('task_run')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('job_run_id', 'bigint', (c) =>
          c.notNull().references('job_run.id').onDelete('cascade'),
        )
        .addColumn('job', 'text', (c) => c.notNull())
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('params', 'jsonb', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('started_at', 'timestamptz')
        .addColumn('finished_at', 'timestamptz')
        .addColumn('rows_written', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('progress', 'jsonb')
        .addColumn('error', 'text')
        .addColumn('error_code', 'text')
        .execute()
      await db.schema.createIndex('task_run_run').on('task_run').column('job_run_id').execute()
      await db.schema
        .createIndex('task_run_symbol_job')
        .on('task_run')
        .columns(['symbol', 'job'])
        .execute()
      await sql`select 1`.execute(db)
    },
  },
}
