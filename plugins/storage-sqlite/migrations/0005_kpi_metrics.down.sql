ALTER TABLE daily_performance DROP COLUMN metrics;
