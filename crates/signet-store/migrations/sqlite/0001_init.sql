-- Deployment-wide records: the master-key check value, the CA material, ...
create table system_record (
    record_key text primary key not null,
    value blob not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Apps (tenants). The secret is kept as a keyed hash; the callback secret sealed under the master key.
create table app (
    app_id text primary key not null,
    name text not null,
    secret_hash text not null,
    callback_url text,
    callback_secret_sealed blob,
    disabled boolean not null default false,
    created_at text not null
);
