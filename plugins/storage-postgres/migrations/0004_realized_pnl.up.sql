-- 0004_realized_pnl (PostgreSQL): the profit or loss a sell realised, on live_trades
--
-- A sell closes shares bought at the position's average cost; the trading
-- job knows that cost when it fills and records (fill - avg_cost) x qty
-- minus the commission here. The EOD job counts closed, winning and losing
-- trades from it without replaying the history. NULL for buys.
ALTER TABLE live_trades ADD COLUMN realized_pnl NUMERIC(18,6);
