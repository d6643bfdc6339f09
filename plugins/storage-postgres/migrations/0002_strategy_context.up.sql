-- 0002_strategy_context (PostgreSQL): execution_id on live_trades, strategy_id on config_history
--
-- The original's execution_id (one per strategy run) on live_trades, and
-- strategy_id on config_history so that a parameter's history belongs to one
-- strategy like its override does.
ALTER TABLE live_trades ADD COLUMN execution_id VARCHAR(8);
CREATE INDEX idx_live_trades_execution ON live_trades(strategy_id, execution_id);
ALTER TABLE config_history ADD COLUMN strategy_id VARCHAR(50) DEFAULT 'v3_5b';
CREATE INDEX idx_config_history_strategy ON config_history(strategy_id, parameter_name, timestamp);
