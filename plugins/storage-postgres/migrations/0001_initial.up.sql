-- 0001_initial (PostgreSQL): the fifteen tables of the data layer
-- The seven tables the spec defines are its DDL verbatim (tests/fixtures/schema/spec_ddl.sql);
-- the other eight follow the original system (docs/schema.md).

CREATE TABLE market_data (
    id SERIAL PRIMARY KEY,
    symbol VARCHAR(10) NOT NULL,
    timeframe VARCHAR(10) NOT NULL,           -- '1D', '1H', '5m'
    timestamp TIMESTAMPTZ NOT NULL,

    -- OHLCV data (Numeric for financial precision)
    open NUMERIC(18,6) NOT NULL,
    high NUMERIC(18,6) NOT NULL,
    low NUMERIC(18,6) NOT NULL,
    close NUMERIC(18,6) NOT NULL,
    volume BIGINT NOT NULL,

    -- Metadata
    data_source VARCHAR(20) NOT NULL,         -- 'schwab', 'yahoo', 'csv'
    created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    is_valid BOOLEAN DEFAULT TRUE,

    -- Constraints
    CONSTRAINT uix_symbol_tf_ts UNIQUE (symbol, timeframe, timestamp)
);

-- Indexes for query performance
CREATE INDEX idx_market_data_lookup ON market_data(symbol, timeframe, timestamp);
CREATE INDEX idx_market_data_symbol ON market_data(symbol);
CREATE INDEX idx_market_data_ts ON market_data(timestamp);

CREATE TABLE daily_performance (
    id SERIAL PRIMARY KEY,

    -- Composite Natural Key
    trading_date DATE NOT NULL,               -- No time component
    entity_type VARCHAR(10) NOT NULL,         -- 'strategy' or 'baseline'
    entity_id VARCHAR(50) NOT NULL,           -- 'v3_5b', 'QQQ', etc.
    mode VARCHAR(20) NOT NULL,                -- 'offline_mock' or 'online_live'

    -- Portfolio State (End of Day)
    total_equity NUMERIC(18,6) NOT NULL,
    cash NUMERIC(18,6),
    positions_value NUMERIC(18,6),
    positions_json TEXT,                      -- JSON: [{symbol, quantity, value}]

    -- Daily Metrics (as decimals: 0.01 = 1%)
    daily_return NUMERIC(10,6) NOT NULL,
    cumulative_return NUMERIC(10,6) NOT NULL,
    drawdown NUMERIC(10,6),

    -- Pre-Computed KPIs (All-Time)
    sharpe_ratio NUMERIC(10,6),
    sortino_ratio NUMERIC(10,6),
    calmar_ratio NUMERIC(10,6),
    max_drawdown NUMERIC(10,6),
    volatility NUMERIC(10,6),
    cagr NUMERIC(10,6),

    -- Strategy State (NULL for baselines)
    strategy_cell INTEGER,
    trend_state VARCHAR(20),
    vol_state VARCHAR(10),

    -- Indicator Values (NULL for baselines)
    t_norm NUMERIC(10,6),
    z_score NUMERIC(10,6),
    sma_fast NUMERIC(18,6),
    sma_slow NUMERIC(18,6),

    -- Trade Statistics (NULL for baselines)
    total_trades INTEGER DEFAULT 0,
    winning_trades INTEGER DEFAULT 0,
    losing_trades INTEGER DEFAULT 0,
    win_rate NUMERIC(5,2),

    -- Metadata
    baseline_symbol VARCHAR(20),
    initial_capital NUMERIC(18,6),
    high_water_mark NUMERIC(18,6),
    trading_days_count INTEGER,

    -- Corner Case Handling (v1.1)
    days_since_previous INTEGER DEFAULT 1,
    is_first_day BOOLEAN DEFAULT FALSE,

    -- Incremental KPI State (Welford's algorithm)
    returns_sum NUMERIC(18,8),
    returns_sum_sq NUMERIC(18,8),
    downside_sum_sq NUMERIC(18,8),
    returns_count INTEGER,

    finalized_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT uix_daily_perf UNIQUE (trading_date, entity_type, entity_id, mode)
);

CREATE INDEX idx_daily_perf_date ON daily_performance(trading_date);
CREATE INDEX idx_daily_perf_entity ON daily_performance(entity_type, entity_id);
CREATE INDEX idx_daily_perf_mode_entity ON daily_performance(mode, entity_type, entity_id, trading_date);

CREATE TABLE live_trades (
    id SERIAL PRIMARY KEY,

    -- Trade Identification
    symbol VARCHAR(10) NOT NULL,
    timestamp TIMESTAMPTZ NOT NULL,
    strategy_id VARCHAR(50) DEFAULT 'v3_5b',

    -- Execution Details
    action VARCHAR(10) NOT NULL,              -- 'BUY' or 'SELL'
    quantity INTEGER NOT NULL,
    target_price NUMERIC(18,6) NOT NULL,      -- Price at signal time
    fill_price NUMERIC(18,6),                 -- Actual execution (NULL for mock)
    fill_value NUMERIC(18,6),                 -- qty * price
    slippage_pct NUMERIC(10,6),               -- (fill - target) / target * 100

    -- External References
    schwab_order_id VARCHAR(50),              -- Schwab API order ID

    -- Strategy Context
    strategy_cell INTEGER,
    trend_state VARCHAR(20),
    vol_state VARCHAR(10),
    t_norm NUMERIC(10,6),
    z_score NUMERIC(10,6),

    -- Classification
    reason VARCHAR(50),                       -- 'Rebalance', 'Signal Change'
    mode VARCHAR(20) NOT NULL,                -- 'offline_mock' or 'online_live'

    created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX idx_live_trades_mode_ts ON live_trades(mode, timestamp);
CREATE INDEX idx_live_trades_symbol_mode ON live_trades(symbol, mode);
CREATE INDEX idx_live_trades_strategy ON live_trades(strategy_id, timestamp);

CREATE TABLE positions (
    id SERIAL PRIMARY KEY,

    symbol VARCHAR(10) NOT NULL,
    quantity INTEGER NOT NULL DEFAULT 0,
    avg_cost NUMERIC(18,6),
    market_value NUMERIC(18,6),
    unrealized_pnl NUMERIC(18,6),

    mode VARCHAR(20) NOT NULL,
    strategy_id VARCHAR(50) DEFAULT 'v3_5b',

    last_updated TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT uix_position_symbol_mode_strategy
        UNIQUE (symbol, mode, strategy_id)
);

CREATE INDEX idx_positions_mode ON positions(mode);
CREATE INDEX idx_positions_strategy ON positions(strategy_id);

CREATE TABLE users (
    id SERIAL PRIMARY KEY,

    -- Authentication
    username VARCHAR(50) NOT NULL UNIQUE,
    password_hash VARCHAR(255) NOT NULL,      -- bcrypt hash
    email VARCHAR(255) UNIQUE,

    -- RBAC
    role VARCHAR(20) DEFAULT 'viewer' NOT NULL,  -- 'admin' or 'viewer'
    is_active BOOLEAN DEFAULT TRUE,

    -- Account Lockout (brute force protection)
    failed_login_count INTEGER DEFAULT 0,
    locked_until TIMESTAMPTZ,

    -- Two-Factor Authentication
    totp_secret VARCHAR(255),                 -- Fernet-encrypted TOTP secret
    totp_enabled BOOLEAN DEFAULT FALSE,
    backup_codes JSON,                        -- bcrypt-hashed backup codes

    -- Session Tracking
    last_login TIMESTAMPTZ,
    created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX idx_users_username ON users(username);
CREATE INDEX idx_users_role ON users(role);

CREATE TABLE passkeys (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,

    -- WebAuthn Credential Data
    credential_id BYTEA NOT NULL UNIQUE,
    public_key BYTEA NOT NULL,                -- COSE format
    sign_count INTEGER DEFAULT 0 NOT NULL,    -- Replay attack protection

    -- Metadata
    device_name VARCHAR(100),                 -- 'MacBook Pro', 'iPhone 15'
    aaguid VARCHAR(36),                       -- Authenticator identification

    created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    last_used_at TIMESTAMPTZ
);

CREATE INDEX idx_passkeys_credential_id ON passkeys(credential_id);
CREATE INDEX idx_passkeys_user_id ON passkeys(user_id);

CREATE TABLE system_state (
    id SERIAL PRIMARY KEY,

    key VARCHAR(50) NOT NULL UNIQUE,
    value TEXT,                               -- JSON-serialized value
    value_type VARCHAR(20),                   -- 'string', 'int', 'json', 'datetime'

    updated_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX idx_system_state_key ON system_state(key);

CREATE TABLE data_metadata (
    id SERIAL PRIMARY KEY,
    symbol VARCHAR(10) NOT NULL,
    timeframe VARCHAR(10) NOT NULL,
    last_bar_timestamp TIMESTAMPTZ NOT NULL,
    total_bars INTEGER DEFAULT 0,
    last_updated TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT uix_metadata UNIQUE (symbol, timeframe)
);

CREATE INDEX idx_metadata_lookup ON data_metadata(symbol, timeframe);

CREATE TABLE data_audit_log (
    id SERIAL PRIMARY KEY,
    symbol VARCHAR(10) NOT NULL,
    timeframe VARCHAR(10) NOT NULL,
    operation VARCHAR(20) NOT NULL,
    status VARCHAR(20) NOT NULL,
    message VARCHAR(500),
    bars_affected INTEGER DEFAULT 0,
    timestamp TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX idx_audit_log_timestamp ON data_audit_log(timestamp);

CREATE TABLE performance_snapshots (
    id SERIAL PRIMARY KEY,
    timestamp TIMESTAMPTZ NOT NULL,
    total_equity NUMERIC(18,6) NOT NULL,
    cash NUMERIC(18,6),
    positions_value NUMERIC(18,6),
    daily_return NUMERIC(10,6),
    cumulative_return NUMERIC(10,6),
    drawdown NUMERIC(10,6),
    strategy_cell INTEGER,
    trend_state VARCHAR(20),
    vol_state VARCHAR(10),
    snapshot_source VARCHAR(20) DEFAULT 'scheduler',
    t_norm NUMERIC(10,6),
    z_score NUMERIC(10,6),
    sma_fast NUMERIC(18,6),
    sma_slow NUMERIC(18,6),
    positions_json TEXT,
    baseline_value NUMERIC(18,6),
    baseline_return NUMERIC(10,6),
    mode VARCHAR(20) NOT NULL,
    strategy_id VARCHAR(50) DEFAULT 'v3_5b',
    created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT uix_perf_snapshot_mode_strategy_ts UNIQUE (mode, strategy_id, timestamp)
);

CREATE INDEX idx_perf_snapshot_mode_ts ON performance_snapshots(mode, timestamp);
CREATE INDEX idx_perf_snapshots_strategy ON performance_snapshots(strategy_id, timestamp);

CREATE TABLE config_overrides (
    id SERIAL PRIMARY KEY,
    parameter_name VARCHAR(50) NOT NULL,
    original_value VARCHAR(100),
    override_value VARCHAR(100) NOT NULL,
    value_type VARCHAR(20) NOT NULL,
    strategy_id VARCHAR(50) DEFAULT 'v3_5b',
    is_active BOOLEAN DEFAULT TRUE,
    reason VARCHAR(200),
    created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    deactivated_at TIMESTAMPTZ
);

CREATE INDEX idx_config_override_active ON config_overrides(parameter_name, strategy_id, is_active);

CREATE TABLE config_history (
    id SERIAL PRIMARY KEY,
    parameter_name VARCHAR(50) NOT NULL,
    old_value VARCHAR(100),
    new_value VARCHAR(100),
    change_type VARCHAR(20) NOT NULL,
    changed_by VARCHAR(50),
    reason VARCHAR(200),
    timestamp TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX idx_config_history_param_ts ON config_history(parameter_name, timestamp);

CREATE TABLE blacklisted_tokens (
    id SERIAL PRIMARY KEY,
    jti VARCHAR(36) NOT NULL UNIQUE,
    token_type VARCHAR(10) NOT NULL,
    blacklisted_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    expires_at TIMESTAMPTZ NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE
);

CREATE INDEX idx_blacklisted_tokens_expires ON blacklisted_tokens(expires_at);

CREATE TABLE user_invitations (
    id SERIAL PRIMARY KEY,
    email VARCHAR(255),
    token VARCHAR(64) NOT NULL UNIQUE,
    role VARCHAR(20) DEFAULT 'viewer' NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    expires_at TIMESTAMPTZ NOT NULL,
    accepted_at TIMESTAMPTZ,
    accepted_by INTEGER REFERENCES users(id) ON DELETE SET NULL
);

CREATE TABLE eod_job_status (
    job_date DATE PRIMARY KEY,
    started_at TIMESTAMPTZ,
    completed_at TIMESTAMPTZ,
    status VARCHAR(20) NOT NULL,
    strategies_total INTEGER DEFAULT 0,
    strategies_processed INTEGER DEFAULT 0,
    baselines_total INTEGER DEFAULT 0,
    baselines_processed INTEGER DEFAULT 0,
    error_message TEXT,
    retry_count INTEGER DEFAULT 0
);

CREATE INDEX idx_eod_job_status ON eod_job_status(status, job_date);

-- The spec's "Check Constraints" table, enforced by the database too.
ALTER TABLE market_data ADD CONSTRAINT chk_market_data_timeframe CHECK (timeframe IN ('1D', '1H', '5m', '15m'));
ALTER TABLE data_metadata ADD CONSTRAINT chk_data_metadata_timeframe CHECK (timeframe IN ('1D', '1H', '5m', '15m'));
ALTER TABLE data_audit_log ADD CONSTRAINT chk_data_audit_log_operation CHECK (operation IN ('sync', 'fetch', 'import', 'update', 'delete'));
ALTER TABLE data_audit_log ADD CONSTRAINT chk_data_audit_log_status CHECK (status IN ('success', 'error', 'warning'));
ALTER TABLE live_trades ADD CONSTRAINT chk_live_trades_action CHECK (action IN ('BUY', 'SELL'));
ALTER TABLE live_trades ADD CONSTRAINT chk_live_trades_mode CHECK (mode IN ('offline_mock', 'online_live'));
ALTER TABLE live_trades ADD CONSTRAINT chk_live_trades_quantity CHECK (quantity > 0);
ALTER TABLE positions ADD CONSTRAINT chk_positions_mode CHECK (mode IN ('offline_mock', 'online_live'));
ALTER TABLE performance_snapshots ADD CONSTRAINT chk_perf_snapshots_mode CHECK (mode IN ('offline_mock', 'online_live'));
ALTER TABLE performance_snapshots ADD CONSTRAINT chk_perf_snapshots_source CHECK (snapshot_source IN ('scheduler', 'refresh', 'manual', 'backtest'));
ALTER TABLE daily_performance ADD CONSTRAINT chk_daily_perf_mode CHECK (mode IN ('offline_mock', 'online_live'));
ALTER TABLE daily_performance ADD CONSTRAINT chk_daily_perf_entity_type CHECK (entity_type IN ('strategy', 'baseline'));
ALTER TABLE users ADD CONSTRAINT chk_users_role CHECK (role IN ('admin', 'viewer'));
ALTER TABLE user_invitations ADD CONSTRAINT chk_user_invitations_role CHECK (role IN ('admin', 'viewer'));
ALTER TABLE blacklisted_tokens ADD CONSTRAINT chk_blacklisted_tokens_type CHECK (token_type IN ('access', 'refresh'));
ALTER TABLE config_overrides ADD CONSTRAINT chk_config_overrides_type CHECK (value_type IN ('int', 'float', 'decimal', 'bool', 'str'));
ALTER TABLE config_history ADD CONSTRAINT chk_config_history_change CHECK (change_type IN ('override', 'restore', 'update'));
ALTER TABLE eod_job_status ADD CONSTRAINT chk_eod_job_status_status CHECK (status IN ('running', 'completed', 'failed', 'partial'));
