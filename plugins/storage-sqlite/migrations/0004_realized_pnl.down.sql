ALTER TABLE live_trades DROP COLUMN realized_pnl;
