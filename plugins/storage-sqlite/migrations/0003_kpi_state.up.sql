-- 0003_kpi_state (SQLite): Welford's running moments and the KPI plugins' state on daily_performance
--
-- See the PostgreSQL revision of the same name for why. REAL is SQLite's
-- 8-byte IEEE double, so the running state round-trips exactly.
ALTER TABLE daily_performance ADD COLUMN welford_count INTEGER;
ALTER TABLE daily_performance ADD COLUMN welford_mean REAL;
ALTER TABLE daily_performance ADD COLUMN welford_m2 REAL;
ALTER TABLE daily_performance ADD COLUMN kpi_state TEXT;
