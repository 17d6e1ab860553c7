-- WoSignDoc orders: the calling platform's orderNumber (unique per app), the signid we answer
-- with, the native flow that does the signing, the sealed document password, and the identity
-- materials (pic / otherpic) kept as evidence. lease_until lets one node at a time drive the
-- automatic signing of an order.
create table wosign_order (
    sign_id text primary key not null,
    app_id text not null references app (app_id),
    order_number text not null,
    flow_id text references flow (flow_id),
    password_sealed blob,
    materials text not null,
    lease_until text,
    created_at text not null,
    unique (app_id, order_number)
);
create index wosign_order_flow on wosign_order (flow_id);
