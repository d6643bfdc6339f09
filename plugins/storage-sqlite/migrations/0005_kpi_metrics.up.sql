-- 0005_kpi_metrics (SQLite): the KPI plugins' metrics of their own, on daily_performance
--
-- See the PostgreSQL revision of the same name for why.
ALTER TABLE daily_performance ADD COLUMN metrics TEXT;
