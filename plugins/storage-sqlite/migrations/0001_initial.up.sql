-- 0001_initial (SQLite): the fifteen tables of the data layer
--
-- Column for column as on PostgreSQL (docs/schema.md), in SQLite's own types:
--   NUMERIC(p,s)  INTEGER holding value * 10^s (money: micro-units), exact and sortable
--   TIMESTAMPTZ   INTEGER microseconds since the epoch, UTC
--   DATE          TEXT 'YYYY-MM-DD'
--   BOOLEAN       INTEGER 0 or 1
--   VARCHAR(n)    TEXT with CHECK (length(col) <= n)
-- STRICT tables refuse a value of the wrong type instead of converting it.
-- SQLite cannot add constraints to a table later, so the spec's check
-- constraints are declared here, under the same names as on PostgreSQL.

CREATE TABLE market_data (
    id INTEGER PRIMARY KEY,
    symbol TEXT NOT NULL CHECK (length(symbol) <= 10),
    timeframe TEXT NOT NULL CHECK (length(timeframe) <= 10),
    timestamp INTEGER NOT NULL,
    open INTEGER NOT NULL,
    high INTEGER NOT NULL,
    low INTEGER NOT NULL,
    close INTEGER NOT NULL,
    volume INTEGER NOT NULL,
    data_source TEXT NOT NULL CHECK (length(data_source) <= 20),
    created_at INTEGER DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
    is_valid INTEGER DEFAULT 1 CHECK (is_valid IN (0, 1)),
    CONSTRAINT uix_symbol_tf_ts UNIQUE (symbol, timeframe, timestamp),
    CONSTRAINT chk_market_data_timeframe CHECK (timeframe IN ('1D', '1H', '5m', '15m'))
) STRICT;

CREATE INDEX idx_market_data_lookup ON market_data(symbol, timeframe, timestamp);
CREATE INDEX idx_market_data_symbol ON market_data(symbol);
CREATE INDEX idx_market_data_ts ON market_data(timestamp);

CREATE TABLE daily_performance (
    id INTEGER PRIMARY KEY,
    trading_date TEXT NOT NULL CHECK (trading_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    entity_type TEXT NOT NULL CHECK (length(entity_type) <= 10),
    entity_id TEXT NOT NULL CHECK (length(entity_id) <= 50),
    mode TEXT NOT NULL CHECK (length(mode) <= 20),
    total_equity INTEGER NOT NULL,
    cash INTEGER,
    positions_value INTEGER,
    positions_json TEXT,
    daily_return INTEGER NOT NULL,
    cumulative_return INTEGER NOT NULL,
    drawdown INTEGER,
    sharpe_ratio INTEGER,
    sortino_ratio INTEGER,
    calmar_ratio INTEGER,
    max_drawdown INTEGER,
    volatility INTEGER,
    cagr INTEGER,
    strategy_cell INTEGER,
    trend_state TEXT CHECK (length(trend_state) <= 20),
    vol_state TEXT CHECK (length(vol_state) <= 10),
    t_norm INTEGER,
    z_score INTEGER,
    sma_fast INTEGER,
    sma_slow INTEGER,
    total_trades INTEGER DEFAULT 0,
    winning_trades INTEGER DEFAULT 0,
    losing_trades INTEGER DEFAULT 0,
    win_rate INTEGER,
    baseline_symbol TEXT CHECK (length(baseline_symbol) <= 20),
    initial_capital INTEGER,
    high_water_mark INTEGER,
    trading_days_count INTEGER,
    days_since_previous INTEGER DEFAULT 1,
    is_first_day INTEGER DEFAULT 0 CHECK (is_first_day IN (0, 1)),
    returns_sum INTEGER,
    returns_sum_sq INTEGER,
    downside_sum_sq INTEGER,
    returns_count INTEGER,
    finalized_at INTEGER DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
    CONSTRAINT uix_daily_perf UNIQUE (trading_date, entity_type, entity_id, mode),
    CONSTRAINT chk_daily_perf_mode CHECK (mode IN ('offline_mock', 'online_live')),
    CONSTRAINT chk_daily_perf_entity_type CHECK (entity_type IN ('strategy', 'baseline'))
) STRICT;

CREATE INDEX idx_daily_perf_date ON daily_performance(trading_date);
CREATE INDEX idx_daily_perf_entity ON daily_performance(entity_type, entity_id);
CREATE INDEX idx_daily_perf_mode_entity ON daily_performance(mode, entity_type, entity_id, trading_date);

CREATE TABLE live_trades (
    id INTEGER PRIMARY KEY,
    symbol TEXT NOT NULL CHECK (length(symbol) <= 10),
    timestamp INTEGER NOT NULL,
    strategy_id TEXT DEFAULT 'v3_5b' CHECK (length(strategy_id) <= 50),
    action TEXT NOT NULL CHECK (length(action) <= 10),
    quantity INTEGER NOT NULL,
    target_price INTEGER NOT NULL,
    fill_price INTEGER,
    fill_value INTEGER,
    slippage_pct INTEGER,
    schwab_order_id TEXT CHECK (length(schwab_order_id) <= 50),
    strategy_cell INTEGER,
    trend_state TEXT CHECK (length(trend_state) <= 20),
    vol_state TEXT CHECK (length(vol_state) <= 10),
    t_norm INTEGER,
    z_score INTEGER,
    reason TEXT CHECK (length(reason) <= 50),
    mode TEXT NOT NULL CHECK (length(mode) <= 20),
    created_at INTEGER DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
    CONSTRAINT chk_live_trades_action CHECK (action IN ('BUY', 'SELL')),
    CONSTRAINT chk_live_trades_mode CHECK (mode IN ('offline_mock', 'online_live')),
    CONSTRAINT chk_live_trades_quantity CHECK (quantity > 0)
) STRICT;

CREATE INDEX idx_live_trades_mode_ts ON live_trades(mode, timestamp);
CREATE INDEX idx_live_trades_symbol_mode ON live_trades(symbol, mode);
CREATE INDEX idx_live_trades_strategy ON live_trades(strategy_id, timestamp);

CREATE TABLE positions (
    id INTEGER PRIMARY KEY,
    symbol TEXT NOT NULL CHECK (length(symbol) <= 10),
    quantity INTEGER NOT NULL DEFAULT 0,
    avg_cost INTEGER,
    market_value INTEGER,
    unrealized_pnl INTEGER,
    mode TEXT NOT NULL CHECK (length(mode) <= 20),
    strategy_id TEXT DEFAULT 'v3_5b' CHECK (length(strategy_id) <= 50),
    last_updated INTEGER DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
    CONSTRAINT uix_position_symbol_mode_strategy UNIQUE (symbol, mode, strategy_id),
    CONSTRAINT chk_positions_mode CHECK (mode IN ('offline_mock', 'online_live'))
) STRICT;

CREATE INDEX idx_positions_mode ON positions(mode);
CREATE INDEX idx_positions_strategy ON positions(strategy_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE CHECK (length(username) <= 50),
    password_hash TEXT NOT NULL CHECK (length(password_hash) <= 255),
    email TEXT UNIQUE CHECK (length(email) <= 255),
    role TEXT DEFAULT 'viewer' NOT NULL CHECK (length(role) <= 20),
    is_active INTEGER DEFAULT 1 CHECK (is_active IN (0, 1)),
    failed_login_count INTEGER DEFAULT 0,
    locked_until INTEGER,
    totp_secret TEXT CHECK (length(totp_secret) <= 255),
    totp_enabled INTEGER DEFAULT 0 CHECK (totp_enabled IN (0, 1)),
    backup_codes TEXT,
    last_login INTEGER,
    created_at INTEGER DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
    CONSTRAINT chk_users_role CHECK (role IN ('admin', 'viewer'))
) STRICT;

CREATE INDEX idx_users_username ON users(username);
CREATE INDEX idx_users_role ON users(role);

CREATE TABLE passkeys (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    credential_id BLOB NOT NULL UNIQUE,
    public_key BLOB NOT NULL,
    sign_count INTEGER DEFAULT 0 NOT NULL,
    device_name TEXT CHECK (length(device_name) <= 100),
    aaguid TEXT CHECK (length(aaguid) <= 36),
    created_at INTEGER DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
    last_used_at INTEGER
) STRICT;

CREATE INDEX idx_passkeys_credential_id ON passkeys(credential_id);
CREATE INDEX idx_passkeys_user_id ON passkeys(user_id);

CREATE TABLE system_state (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE CHECK (length(key) <= 50),
    value TEXT,
    value_type TEXT CHECK (length(value_type) <= 20),
    updated_at INTEGER DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER))
) STRICT;

CREATE INDEX idx_system_state_key ON system_state(key);

CREATE TABLE data_metadata (
    id INTEGER PRIMARY KEY,
    symbol TEXT NOT NULL CHECK (length(symbol) <= 10),
    timeframe TEXT NOT NULL CHECK (length(timeframe) <= 10),
    last_bar_timestamp INTEGER NOT NULL,
    total_bars INTEGER DEFAULT 0,
    last_updated INTEGER DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
    CONSTRAINT uix_metadata UNIQUE (symbol, timeframe),
    CONSTRAINT chk_data_metadata_timeframe CHECK (timeframe IN ('1D', '1H', '5m', '15m'))
) STRICT;

CREATE INDEX idx_metadata_lookup ON data_metadata(symbol, timeframe);

CREATE TABLE data_audit_log (
    id INTEGER PRIMARY KEY,
    symbol TEXT NOT NULL CHECK (length(symbol) <= 10),
    timeframe TEXT NOT NULL CHECK (length(timeframe) <= 10),
    operation TEXT NOT NULL CHECK (length(operation) <= 20),
    status TEXT NOT NULL CHECK (length(status) <= 20),
    message TEXT CHECK (length(message) <= 500),
    bars_affected INTEGER DEFAULT 0,
    timestamp INTEGER DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
    CONSTRAINT chk_data_audit_log_operation CHECK (operation IN ('sync', 'fetch', 'import', 'update', 'delete')),
    CONSTRAINT chk_data_audit_log_status CHECK (status IN ('success', 'error', 'warning'))
) STRICT;

CREATE INDEX idx_audit_log_timestamp ON data_audit_log(timestamp);

CREATE TABLE performance_snapshots (
    id INTEGER PRIMARY KEY,
    timestamp INTEGER NOT NULL,
    total_equity INTEGER NOT NULL,
    cash INTEGER,
    positions_value INTEGER,
    daily_return INTEGER,
    cumulative_return INTEGER,
    drawdown INTEGER,
    strategy_cell INTEGER,
    trend_state TEXT CHECK (length(trend_state) <= 20),
    vol_state TEXT CHECK (length(vol_state) <= 10),
    snapshot_source TEXT DEFAULT 'scheduler' CHECK (length(snapshot_source) <= 20),
    t_norm INTEGER,
    z_score INTEGER,
    sma_fast INTEGER,
    sma_slow INTEGER,
    positions_json TEXT,
    baseline_value INTEGER,
    baseline_return INTEGER,
    mode TEXT NOT NULL CHECK (length(mode) <= 20),
    strategy_id TEXT DEFAULT 'v3_5b' CHECK (length(strategy_id) <= 50),
    created_at INTEGER DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
    CONSTRAINT uix_perf_snapshot_mode_strategy_ts UNIQUE (mode, strategy_id, timestamp),
    CONSTRAINT chk_perf_snapshots_mode CHECK (mode IN ('offline_mock', 'online_live')),
    CONSTRAINT chk_perf_snapshots_source CHECK (snapshot_source IN ('scheduler', 'refresh', 'manual', 'backtest'))
) STRICT;

CREATE INDEX idx_perf_snapshot_mode_ts ON performance_snapshots(mode, timestamp);
CREATE INDEX idx_perf_snapshots_strategy ON performance_snapshots(strategy_id, timestamp);

CREATE TABLE config_overrides (
    id INTEGER PRIMARY KEY,
    parameter_name TEXT NOT NULL CHECK (length(parameter_name) <= 50),
    original_value TEXT CHECK (length(original_value) <= 100),
    override_value TEXT NOT NULL CHECK (length(override_value) <= 100),
    value_type TEXT NOT NULL CHECK (length(value_type) <= 20),
    strategy_id TEXT DEFAULT 'v3_5b' CHECK (length(strategy_id) <= 50),
    is_active INTEGER DEFAULT 1 CHECK (is_active IN (0, 1)),
    reason TEXT CHECK (length(reason) <= 200),
    created_at INTEGER DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
    deactivated_at INTEGER,
    CONSTRAINT chk_config_overrides_type CHECK (value_type IN ('int', 'float', 'decimal', 'bool', 'str'))
) STRICT;

CREATE INDEX idx_config_override_active ON config_overrides(parameter_name, strategy_id, is_active);

CREATE TABLE config_history (
    id INTEGER PRIMARY KEY,
    parameter_name TEXT NOT NULL CHECK (length(parameter_name) <= 50),
    old_value TEXT CHECK (length(old_value) <= 100),
    new_value TEXT CHECK (length(new_value) <= 100),
    change_type TEXT NOT NULL CHECK (length(change_type) <= 20),
    changed_by TEXT CHECK (length(changed_by) <= 50),
    reason TEXT CHECK (length(reason) <= 200),
    timestamp INTEGER DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
    CONSTRAINT chk_config_history_change CHECK (change_type IN ('override', 'restore', 'update'))
) STRICT;

CREATE INDEX idx_config_history_param_ts ON config_history(parameter_name, timestamp);

CREATE TABLE blacklisted_tokens (
    id INTEGER PRIMARY KEY,
    jti TEXT NOT NULL UNIQUE CHECK (length(jti) <= 36),
    token_type TEXT NOT NULL CHECK (length(token_type) <= 10),
    blacklisted_at INTEGER DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
    expires_at INTEGER NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT chk_blacklisted_tokens_type CHECK (token_type IN ('access', 'refresh'))
) STRICT;

CREATE INDEX idx_blacklisted_tokens_expires ON blacklisted_tokens(expires_at);

CREATE TABLE user_invitations (
    id INTEGER PRIMARY KEY,
    email TEXT CHECK (length(email) <= 255),
    token TEXT NOT NULL UNIQUE CHECK (length(token) <= 64),
    role TEXT DEFAULT 'viewer' NOT NULL CHECK (length(role) <= 20),
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
    expires_at INTEGER NOT NULL,
    accepted_at INTEGER,
    accepted_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    CONSTRAINT chk_user_invitations_role CHECK (role IN ('admin', 'viewer'))
) STRICT;

CREATE TABLE eod_job_status (
    job_date TEXT PRIMARY KEY CHECK (job_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    started_at INTEGER,
    completed_at INTEGER,
    status TEXT NOT NULL CHECK (length(status) <= 20),
    strategies_total INTEGER DEFAULT 0,
    strategies_processed INTEGER DEFAULT 0,
    baselines_total INTEGER DEFAULT 0,
    baselines_processed INTEGER DEFAULT 0,
    error_message TEXT,
    retry_count INTEGER DEFAULT 0,
    CONSTRAINT chk_eod_job_status_status CHECK (status IN ('running', 'completed', 'failed', 'partial'))
) STRICT;

CREATE INDEX idx_eod_job_status ON eod_job_status(status, job_date);
