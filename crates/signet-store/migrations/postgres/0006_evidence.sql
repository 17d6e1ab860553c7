-- Evidence entries: each is one leaf of the Merkle log (RFC 6962).
create table evidence (
    evidence_id text primary key,
    app_id text not null references app (app_id),
    sid text not null,
    sha256 text not null,
    leaf_index bigint not null unique,
    created_at timestamptz not null,
    unique (app_id, sid)
);

-- Complete subtrees of the log: node (level, idx) covers leaves [idx * 2^level, (idx + 1) * 2^level).
-- Insert-only: a node never changes once its subtree is complete.
create table tlog_node (
    level bigint not null,
    idx bigint not null,
    hash bytea not null,
    primary key (level, idx)
);

-- The log's size and root; its one row is also the lock that serialises appends.
create table tlog_state (
    id integer primary key check (id = 1),
    size bigint not null,
    root bytea
);
insert into tlog_state (id, size, root) values (1, 0, null);
