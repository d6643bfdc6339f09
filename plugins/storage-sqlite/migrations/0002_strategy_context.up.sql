-- 0002_strategy_context (SQLite): execution_id on live_trades, strategy_id on config_history
--
-- See the PostgreSQL revision of the same name for why.
ALTER TABLE live_trades ADD COLUMN execution_id TEXT CHECK (length(execution_id) <= 8);
CREATE INDEX idx_live_trades_execution ON live_trades(strategy_id, execution_id);
ALTER TABLE config_history ADD COLUMN strategy_id TEXT DEFAULT 'v3_5b' CHECK (length(strategy_id) <= 50);
CREATE INDEX idx_config_history_strategy ON config_history(strategy_id, parameter_name, timestamp);
