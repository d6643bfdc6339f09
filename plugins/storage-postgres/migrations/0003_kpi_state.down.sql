ALTER TABLE daily_performance DROP COLUMN kpi_state;
ALTER TABLE daily_performance DROP COLUMN welford_m2;
ALTER TABLE daily_performance DROP COLUMN welford_mean;
ALTER TABLE daily_performance DROP COLUMN welford_count;
