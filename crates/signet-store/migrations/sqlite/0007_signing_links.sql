-- Page links (signing pages, authorization pages, positioning pages): only keyed hashes of the
-- token and the short code are stored; the token is re-derived from the link id when needed.
create table page_link (
    link_id text primary key not null,
    app_id text not null references app (app_id),
    purpose text not null,
    token_hash text not null unique,
    code_hash text not null unique,
    flow_id text,
    account_id text references account (account_id),
    detail text not null default '{}',
    redirect_url text,
    expires_at text not null,
    revoked_at text,
    verified_at text,
    created_at text not null
);
create index page_link_subject on page_link (app_id, purpose, flow_id, account_id);

-- Fixed-window rate counters shared by every node (code sending and checking on pages).
create table rate_window (
    bucket text not null,
    window_start bigint not null,
    hits bigint not null,
    primary key (bucket, window_start)
);
