-- 0003_kpi_state (PostgreSQL): Welford's running moments and the KPI plugins' state on daily_performance
--
-- welford_count/mean/m2 are the numerically stable running moments of the
-- daily returns (the seed's returns_sum and returns_sum_sq stay, filled as
-- their names say). They are DOUBLE PRECISION, not NUMERIC: a running state
-- rounded to a fixed number of places every day would drift from a batch
-- computation over the same returns. kpi_state keeps each KPI instance's
-- own state (JSON keyed by instance name) for the next day's fold.
ALTER TABLE daily_performance ADD COLUMN welford_count INTEGER;
ALTER TABLE daily_performance ADD COLUMN welford_mean DOUBLE PRECISION;
ALTER TABLE daily_performance ADD COLUMN welford_m2 DOUBLE PRECISION;
ALTER TABLE daily_performance ADD COLUMN kpi_state TEXT;
