-- Deployment-wide records: the master-key check value, the CA material, ...
create table system_record (
    record_key text primary key,
    value bytea not null,
    created_at timestamptz not null default now()
);

-- Apps (tenants). The secret is kept as a keyed hash; the callback secret sealed under the master key.
create table app (
    app_id text primary key,
    name text not null,
    secret_hash text not null,
    callback_url text,
    callback_secret_sealed bytea,
    disabled boolean not null default false,
    created_at timestamptz not null
);
