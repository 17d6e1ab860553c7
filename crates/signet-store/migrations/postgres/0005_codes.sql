-- Willingness codes: only a keyed hash of the digits is stored.
create table verification_code (
    code_id text primary key,
    app_id text not null references app (app_id),
    scope text not null,
    account_id text not null references account (account_id),
    channel text not null,
    code_hash text not null,
    attempts integer not null default 0,
    max_attempts integer not null,
    expires_at timestamptz not null,
    used_at timestamptz,
    created_at timestamptz not null
);
create index verification_code_lookup on verification_code (app_id, scope, account_id, created_at);
