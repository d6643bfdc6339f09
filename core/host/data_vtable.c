/*
 * core/host/data_vtable.c — struct jutsu_data, the data API as plugins see it.
 */
#include "jutsu/error.h"
#include "store/data_api.h"
#include "host/app.h"
#include "store/store.h"

static int d_schema_status(jutsu_dbs *s, int *current, const char **applied, const char **head)
{
    struct jutsu_migrate_state st;
    int rc = jutsu_migrate_state(s, &st);
    if (rc != 0)
        return rc;
    const struct jutsu_migration *m = s->ops->migrations;
    *current = st.unknown == NULL && st.n_applied == st.n_known;
    *applied = st.n_applied ? m[st.n_applied - 1].rev : "base";
    *head = st.n_known ? m[st.n_known - 1].rev : "base";
    return 0;
}

static int d_open(jutsu_ctx *ctx, jutsu_dbs **out)
{
    return jutsu_app_dbs_open(ctx->app, out);
}

static const struct jutsu_data vtable = {
    .size = sizeof(struct jutsu_data),
    .open = d_open,
    .close = jutsu_dbs_close,
    .begin = jutsu_dbs_begin,
    .commit = jutsu_dbs_commit,
    .rollback = jutsu_dbs_rollback,
    .last_error = jutsu_dbs_error_line,
    .bars_upsert = jutsu_data_bars_upsert,
    .bars_range = jutsu_data_bars_range,
    .metadata_get = jutsu_data_metadata_get,
    .metadata_upsert = jutsu_data_metadata_upsert,
    .audit_add = jutsu_data_audit_add,
    .trade_insert = jutsu_data_trade_insert,
    .trades_range = jutsu_data_trades_range,
    .position_get = jutsu_data_position_get,
    .positions_list = jutsu_data_positions_list,
    .position_upsert = jutsu_data_position_upsert,
    .snapshot_upsert = jutsu_data_snapshot_upsert,
    .snapshots_range = jutsu_data_snapshots_range,
    /* the fields a 1.3 plugin's struct holds: no `metrics` (jutsu/data.h) */
    .daily_perf_upsert = jutsu_data_daily_perf_upsert_1_3,
    .daily_perf_get = jutsu_data_daily_perf_get_1_3,
    .daily_perf_prev = jutsu_data_daily_perf_prev_1_3,
    .daily_perf_range = jutsu_data_daily_perf_range,
    .state_get = jutsu_data_state_get,
    .state_set = jutsu_data_state_set,
    .override_set = jutsu_data_override_set,
    .override_unset = jutsu_data_override_unset,
    .overrides_active = jutsu_data_overrides_active,
    .history_range = jutsu_data_history_range,
    .user_create = jutsu_data_user_create,
    .user_get = jutsu_data_user_get,
    .user_update = jutsu_data_user_update,
    .user_delete = jutsu_data_user_delete,
    .users_list = jutsu_data_users_list,
    .passkey_add = jutsu_data_passkey_add,
    .passkeys_list = jutsu_data_passkeys_list,
    .passkey_get = jutsu_data_passkey_get,
    .passkey_touch = jutsu_data_passkey_touch,
    .passkey_delete = jutsu_data_passkey_delete,
    .token_blacklist = jutsu_data_token_blacklist,
    .token_is_blacklisted = jutsu_data_token_is_blacklisted,
    .invitation_create = jutsu_data_invitation_create,
    .invitation_get = jutsu_data_invitation_get,
    .invitation_accept = jutsu_data_invitation_accept,
    .eod_status_get = jutsu_data_eod_status_get,
    .eod_status_upsert = jutsu_data_eod_status_upsert,
    .eod_status_range = jutsu_data_eod_status_range,
    .last_error_message = jutsu_dbs_error,
    .last_error_detail = jutsu_dbs_error_detail,
    .last_error_hint = jutsu_dbs_error_hint,
    .schema_status = d_schema_status,
    .trade_get = jutsu_data_trade_get,
    .trades_query = jutsu_data_trades_query,
    .snapshots_query = jutsu_data_snapshots_query,
    .positions_query = jutsu_data_positions_query,
    .daily_perf_latest = jutsu_data_daily_perf_latest,
    .bars_page = jutsu_data_bars_page,
};

const struct jutsu_data *jutsu_data_vtable(void)
{
    return &vtable;
}
