-- Real-name verification checks of accounts. The account's status and level are derived from
-- its checks; identity data is never stored here in clear (only masked extras).
create table verification_check (
    verification_id text primary key not null,
    app_id text not null references app (app_id),
    account_id text not null references account (account_id),
    kind text not null,
    outcome text not null check (outcome in ('match', 'mismatch', 'pending', 'expired')),
    provider text not null,
    provider_ref text,
    reason text,
    -- JSON object of masked inputs beyond the account's own data.
    masked_inputs text not null,
    -- Micro-deposits: keyed hash of the amount, wrong answers so far, answer deadline.
    deposit_hash text,
    attempts integer not null default 0,
    expires_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index verification_check_account on verification_check (app_id, account_id, created_at);
