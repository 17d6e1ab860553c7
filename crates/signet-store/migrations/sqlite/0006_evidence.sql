-- Evidence entries: each is one leaf of the Merkle log (RFC 6962).
create table evidence (
    evidence_id text primary key not null,
    app_id text not null references app (app_id),
    sid text not null,
    sha256 text not null,
    leaf_index integer not null unique,
    created_at text not null,
    unique (app_id, sid)
);

-- Complete subtrees of the log: node (level, idx) covers leaves [idx * 2^level, (idx + 1) * 2^level).
-- Insert-only: a node never changes once its subtree is complete.
create table tlog_node (
    level integer not null,
    idx integer not null,
    hash blob not null,
    primary key (level, idx)
);

-- The log's size and root; its one row is also the lock that serialises appends.
create table tlog_state (
    id integer primary key not null check (id = 1),
    size integer not null,
    root blob
);
insert into tlog_state (id, size, root) values (1, 0, null);
