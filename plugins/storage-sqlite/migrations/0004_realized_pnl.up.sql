-- 0004_realized_pnl (SQLite): the profit or loss a sell realised, on live_trades
--
-- See the PostgreSQL revision of the same name for why.
ALTER TABLE live_trades ADD COLUMN realized_pnl INTEGER;
