-- Templates: an uploaded PDF with AcroForm text fields (the file's blob) and the fields read
-- from it once, as a JSON array. A template never changes once stored.
create table template (
    template_id text primary key,
    app_id text not null references app (app_id),
    name text not null,
    file_id text not null,
    blob_key text not null,
    fields text not null,
    created_at timestamptz not null
);
create index template_app on template (app_id);
