-- 0001_initial (SQLite), undone: children before parents.
DROP TABLE eod_job_status;
DROP TABLE user_invitations;
DROP TABLE blacklisted_tokens;
DROP TABLE config_history;
DROP TABLE config_overrides;
DROP TABLE performance_snapshots;
DROP TABLE data_audit_log;
DROP TABLE data_metadata;
DROP TABLE system_state;
DROP TABLE passkeys;
DROP TABLE users;
DROP TABLE positions;
DROP TABLE live_trades;
DROP TABLE daily_performance;
DROP TABLE market_data;
