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
  '0002_indicators_alerts': {
    async up(db: Kysely<unknown>) {
      // Higher-timeframe bars resampled from tickerdata_1m. Only closed bars are stored; a bar
      // with missing minutes has minutes < expected_minutes (complete = false).
      await db.schema
        .createTable('candle')
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('timeframe', 'text', (c) => c.notNull())
        .addColumn('open_time', 'timestamptz', (c) => c.notNull())
        .addColumn('open', 'numeric', (c) => c.notNull())
        .addColumn('high', 'numeric', (c) => c.notNull())
        .addColumn('low', 'numeric', (c) => c.notNull())
        .addColumn('close', 'numeric', (c) => c.notNull())
        .addColumn('volume', 'numeric', (c) => c.notNull())
        .addColumn('quote_volume', 'numeric', (c) => c.notNull())
        .addColumn('trades', 'bigint', (c) => c.notNull())
        .addColumn('taker_buy_base_volume', 'numeric', (c) => c.notNull())
        .addColumn('taker_buy_quote_volume', 'numeric', (c) => c.notNull())
        .addColumn('minutes', 'integer', (c) => c.notNull())
        .addColumn('expected_minutes', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('candle_pk', ['symbol', 'timeframe', 'open_time'])
        .execute()

      // One row per indicator output and bar: `name` is the canonical key, e.g. rsi(14) or
      // macd(12,26,9).histogram. Warm-up bars (no value yet) have no row.
      await db.schema
        .createTable('indicator_value')
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('timeframe', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('open_time', 'timestamptz', (c) => c.notNull())
        .addColumn('value', 'float8', (c) => c.notNull())
        .addPrimaryKeyConstraint('indicator_value_pk', ['symbol', 'timeframe', 'name', 'open_time'])
        .execute()

      // Where each indicator's incremental computation stands: the streaming state after the
      // last bar it consumed, so the next run continues exactly where this one stopped.
      await db.schema
        .createTable('indicator_state')
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('timeframe', 'text', (c) => c.notNull())
        .addColumn('indicator', 'text', (c) => c.notNull())
        .addColumn('last_open_time', 'timestamptz', (c) => c.notNull())
        .addColumn('bars', 'integer', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('state', 'jsonb', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('indicator_state_pk', ['symbol', 'timeframe', 'indicator'])
        .execute()

      await db.schema
        .createTable('alert_rule')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('symbols', 'jsonb', (c) => c.notNull())
        .addColumn('timeframe', 'text', (c) => c.notNull())
        .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('webhook_url', 'text')
        .addColumn('webhook_preset', 'text', (c) => c.notNull().defaultTo('json'))
        .addColumn('webhook_secret', 'text')
        .addColumn('telegram_chat_id', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('evaluate_from', 'timestamptz', (c) => c.notNull())
        .execute()

      // Up to which bar a rule has been evaluated for a symbol: evaluation resumes after it.
      await db.schema
        .createTable('alert_cursor')
        .addColumn('rule_id', 'bigint', (c) =>
          c.notNull().references('alert_rule.id').onDelete('cascade'),
        )
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('last_bar', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('alert_cursor_pk', ['rule_id', 'symbol'])
        .execute()

      // A rule fires at most once per bar: the primary key is the guarantee, across re-runs and
      // restarts.
      await db.schema
        .createTable('alert_event')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('rule_id', 'bigint', (c) =>
          c.notNull().references('alert_rule.id').onDelete('cascade'),
        )
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('timeframe', 'text', (c) => c.notNull())
        .addColumn('bar_time', 'timestamptz', (c) => c.notNull())
        .addColumn('fired_at', 'timestamptz', (c) => c.notNull())
        .addColumn('values', 'jsonb', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addUniqueConstraint('alert_event_once', ['rule_id', 'symbol', 'bar_time'])
        .execute()

      await db.schema
        .createTable('alert_delivery')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('event_id', 'bigint', (c) =>
          c.notNull().unique().references('alert_event.id').onDelete('cascade'),
        )
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('delivered_at', 'timestamptz')
        .execute()
      await db.schema
        .createIndex('alert_delivery_due')
        .on('alert_delivery')
        .columns(['state', 'next_attempt_at'])
        .execute()
    },
  },
  '0003_run_last_progress': {
    async up(db: Kysely<unknown>) {
      // When a run and each of its tasks last made progress (throttled while they work): where a
      // later process ends a run that a killed process left 'running', instead of at its own start.
      await db.schema.alterTable('job_run').addColumn('last_progress_at', 'timestamptz').execute()
      await db.schema.alterTable('task_run').addColumn('last_progress_at', 'timestamptz').execute()
    },
  },
  '0004_task_kind_key': {
    async up(db: Kysely<unknown>) {
      // A task says what it is about: kind 'symbol' (key the symbol), 'job' (key the job's name:
      // the one task of getSymbols, once symbol '*') or 'rule' (key the rule's name, once
      // symbol 'rule:NAME'). `symbol` keeps the real symbol of symbol tasks only.
      await db.schema
        .alterTable('task_run')
        .addColumn('kind', 'text')
        .addColumn('key', 'text')
        .alterColumn('symbol', (c) => c.dropNotNull())
        .execute()
      await sql`
        update task_run set
          kind = case when symbol = '*' then 'job' when symbol like 'rule:%' then 'rule'
            else 'symbol' end,
          key = case when symbol = '*' then job when symbol like 'rule:%' then substr(symbol, 6)
            else symbol end,
          symbol = case when symbol = '*' or symbol like 'rule:%' then null else symbol end
      `.execute(db)
      await db.schema
        .alterTable('task_run')
        .alterColumn('kind', (c) => c.setNotNull())
        .alterColumn('key', (c) => c.setNotNull())
        .execute()
    },
  },
  '0005_api_token': {
    async up(db: Kysely<unknown>) {
      // Tokens of the HTTP API: only the sha256 of each token is stored (see store/tokens.ts).
      await db.schema
        .createTable('api_token')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('read', 'admin')`))
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('last_used_at', 'timestamptz')
        .addColumn('revoked_at', 'timestamptz')
        .execute()
    },
  },
  '0006_task_log': {
    async up(db: Kysely<unknown>) {
      // The log lines of each task (see store/task-logs.ts): its first 200 and last 300 lines;
      // the ones between are dropped, and `seq` counts every line, dropped or not.
      await db.schema
        .createTable('task_log')
        .addColumn('task_run_id', 'bigint', (c) =>
          c.notNull().references('task_run.id').onDelete('cascade'),
        )
        .addColumn('job_run_id', 'bigint', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('time', 'timestamptz', (c) => c.notNull())
        .addColumn('level', 'text', (c) =>
          c.notNull().check(sql`level in ('debug', 'info', 'warn', 'error')`),
        )
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('fields', 'jsonb', (c) => c.notNull())
        .addPrimaryKeyConstraint('task_log_pk', ['task_run_id', 'seq'])
        .execute()
    },
  },
  '0007_event': {
    async up(db: Kysely<unknown>) {
      // The stream of DESIGN §9 (GET /api/v1/stream): one row per change the API pushes, written
      // by DEFERRED constraint triggers at commit. The function takes a transaction-level
      // advisory lock before nextval, so ids follow commit order: a reader that saw id N never
      // sees a smaller id commit later (resume by id loses nothing). Each row is announced on
      // NOTIFY trading_alerts_events as '<schema>:<id>'. Tables are named through the trigger's
      // schema, so the function works whatever the session's search_path. Pruned by
      // store/events.ts at each run's end.
      await db.schema
        .createTable('event')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload', 'jsonb', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute()
      await db.schema.createIndex('event_created').on('event').column('created_at').execute()
      await sql`
        create function trading_alerts_event() returns trigger language plpgsql as $fn$
        declare
          kind text;
          body jsonb;
          rule_name text;
          new_id bigint;
        begin
          if TG_TABLE_NAME = 'job_run' then
            kind := 'run';
            body := jsonb_build_object('id', NEW.id, 'job', NEW.job, 'state', NEW.state);
          elsif TG_TABLE_NAME = 'task_run' then
            kind := 'task';
            body := jsonb_build_object('runId', NEW.job_run_id, 'id', NEW.id, 'kind', NEW.kind,
              'key', NEW.key, 'symbol', NEW.symbol, 'state', NEW.state, 'rows', NEW.rows_written);
          elsif TG_TABLE_NAME = 'symbol' then
            kind := 'candles';
            body := jsonb_build_object('symbol', NEW.symbol, 'lastUpdatedAt',
              to_char(NEW.last_updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
          elsif TG_TABLE_NAME = 'alert_event' then
            kind := 'alert';
            execute format('select name from %I.alert_rule where id = $1', TG_TABLE_SCHEMA)
              into rule_name using NEW.rule_id;
            body := jsonb_build_object('eventId', NEW.id, 'rule', rule_name, 'symbol', NEW.symbol,
              'timeframe', NEW.timeframe, 'barTime',
              to_char(NEW.bar_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
              'text', NEW.text);
          else
            return null;
          end if;
          perform pg_advisory_xact_lock(hashtext('trading-alerts:' || TG_TABLE_SCHEMA || ':event'));
          execute format('insert into %I.event (type, payload) values ($1, $2) returning id',
            TG_TABLE_SCHEMA) into new_id using kind, body;
          perform pg_notify('trading_alerts_events', TG_TABLE_SCHEMA || ':' || new_id);
          return null;
        end
        $fn$
      `.execute(db)
      const triggers: readonly [string, string, string][] = [
        ['job_run_event_insert', 'insert on job_run', 'true'],
        [
          'job_run_event_update',
          'update of state on job_run',
          'old.state is distinct from new.state',
        ],
        ['task_run_event_insert', 'insert on task_run', 'true'],
        [
          'task_run_event_update',
          'update of state on task_run',
          'old.state is distinct from new.state',
        ],
        ['symbol_event_insert', 'insert on symbol', 'new.last_updated_at is not null'],
        [
          'symbol_event_update',
          'update of last_updated_at on symbol',
          'new.last_updated_at > old.last_updated_at or (old.last_updated_at is null and new.last_updated_at is not null)',
        ],
        ['alert_event_event_insert', 'insert on alert_event', 'true'],
      ]
      for (const [name, on, when] of triggers) {
        await sql`
          create constraint trigger ${sql.id(name)} after ${sql.raw(on)}
          deferrable initially deferred for each row when (${sql.raw(when)})
          execute function trading_alerts_event()
        `.execute(db)
      }
    },
  },
}
