-- Uploaded files; the bytes live in the object store under blob_key.
create table file (
    file_id text primary key,
    app_id text not null references app (app_id),
    name text not null,
    content_type text not null,
    size_bytes bigint not null,
    sha256 text not null,
    blob_key text not null,
    pages bigint,
    created_at timestamptz not null
);

-- Seals of accounts; the PNG lives in the object store.
create table seal (
    seal_id text primary key,
    app_id text not null references app (app_id),
    account_id text not null references account (account_id),
    kind text not null,
    name text not null,
    image_key text not null,
    width_mm double precision not null,
    height_mm double precision not null,
    spec text,
    evidence_key text,
    is_default boolean not null default false,
    active boolean not null default true,
    created_at timestamptz not null
);
create index seal_account on seal (app_id, account_id);

-- Silent-sign authorizations; seal_ids is a JSON array (empty: every seal of the account).
create table sign_authorization (
    authorization_id text primary key,
    app_id text not null references app (app_id),
    account_id text not null references account (account_id),
    seal_ids text not null,
    expires_at timestamptz not null,
    revoked_at timestamptz,
    created_at timestamptz not null
);
create index sign_authorization_account on sign_authorization (app_id, account_id);

-- Flows; updated_at doubles as the optimistic-concurrency version.
create table flow (
    flow_id text primary key,
    app_id text not null references app (app_id),
    title text not null,
    status text not null,
    callback_url text,
    expires_at timestamptz,
    archived boolean not null default false,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index flow_open_expiry on flow (status, expires_at);

create table flow_document (
    flow_id text not null references flow (flow_id),
    position bigint not null,
    file_id text not null references file (file_id),
    name text not null,
    current_key text not null,
    revision bigint not null,
    primary key (flow_id, position)
);

create table flow_signer (
    flow_id text not null references flow (flow_id),
    account_id text not null references account (account_id),
    sign_order bigint not null,
    seal_id text,
    fields text not null,
    auth text not null,
    status text not null,
    signed_at timestamptz,
    reject_reason text,
    primary key (flow_id, account_id)
);

-- The callback outbox: written with the state change, delivered by the worker.
create table outbox_event (
    event_id text primary key,
    app_id text not null references app (app_id),
    event text not null,
    body text not null,
    target_url text,
    attempts integer not null default 0,
    next_attempt_at timestamptz not null,
    lease_until timestamptz,
    delivered_at timestamptz,
    last_error text,
    created_at timestamptz not null
);
create index outbox_due on outbox_event (delivered_at, next_attempt_at);
