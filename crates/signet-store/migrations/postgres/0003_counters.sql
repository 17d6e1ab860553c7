-- Named counters shared by every process on the database: RFC 3161 serial numbers, CRL numbers.
create table counter (
    name text primary key,
    value bigint not null
);
