DROP INDEX idx_config_history_strategy;
ALTER TABLE config_history DROP COLUMN strategy_id;
DROP INDEX idx_live_trades_execution;
ALTER TABLE live_trades DROP COLUMN execution_id;
