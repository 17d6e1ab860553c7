-- Accounts: persons and organisations. The ID number is sealed; lookups use its keyed pseudonym.
create table account (
    account_seq integer primary key autoincrement,
    account_id text not null unique,
    app_id text not null references app (app_id),
    kind text not null check (kind in ('person', 'org')),
    name text not null,
    id_type text not null,
    id_number_sealed blob not null,
    id_number_pseudonym text not null,
    id_number_masked text not null,
    mobile text,
    email text,
    third_id text,
    agent_id text,
    uscc_check_waived boolean not null default false,
    active boolean not null default true,
    certificate_serial text,
    created_at text not null,
    updated_at text not null
);
-- One active account per ID number and per third-party id within an app.
create unique index account_pseudonym_active on account (app_id, id_number_pseudonym) where active;
create unique index account_third_id_active on account (app_id, third_id) where active and third_id is not null;

-- Certificates issued by the built-in CA (to accounts, or by `signet ca issue` to no account);
-- the OCSP responder and CRLs read revocation from here.
create table certificate (
    serial text primary key not null,
    app_id text not null references app (app_id),
    account_id text references account (account_id),
    certificate_der blob not null,
    key_ref blob not null,
    not_before text not null,
    not_after text not null,
    revoked_at text,
    created_at text not null
);
create index certificate_account on certificate (account_id);

-- Hash-chained audit entries, one chain per scope (a flow, an account).
create table audit_entry (
    audit_seq integer primary key autoincrement,
    app_id text not null,
    scope text not null,
    scope_seq integer not null,
    action text not null,
    detail text not null,
    prev_hash text not null,
    hash text not null,
    created_at text not null,
    unique (scope, scope_seq)
);
