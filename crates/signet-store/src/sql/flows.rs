//! Flows with their documents and signers.

use async_trait::async_trait;
use signet_core::accounts::AccountId;
use signet_core::audit::AuditEntry;
use signet_core::files::FileId;
use signet_core::flows::{Field, FlowDocument, FlowId, FlowRecord, FlowSigner, FlowStatus, SignerAuth, SignerStatus};
use signet_core::ids::AppId;
use signet_core::ports::{FlowChange, FlowStore};
use signet_core::seals::SealId;
use signet_core::{Error, Result};
use time::OffsetDateTime;

use super::audit::append_audit;
use super::outbox::insert_event;
use super::{Pool, SqlStore, blob_key, on_pool};

#[derive(sqlx::FromRow)]
struct FlowRow {
    flow_id: String,
    app_id: String,
    title: String,
    status: String,
    callback_url: Option<String>,
    expires_at: Option<OffsetDateTime>,
    archived: bool,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct DocumentRow {
    position: i64,
    file_id: String,
    name: String,
    current_key: String,
    revision: i64,
}

#[derive(sqlx::FromRow)]
struct SignerRow {
    account_id: String,
    sign_order: i64,
    seal_id: Option<String>,
    fields: String,
    auth: String,
    status: String,
    signed_at: Option<OffsetDateTime>,
    reject_reason: Option<String>,
}

fn corrupt(what: &str) -> Error {
    Error::Internal(format!("stored flow has a bad {what}"))
}

impl TryFrom<DocumentRow> for FlowDocument {
    type Error = Error;

    fn try_from(row: DocumentRow) -> Result<Self> {
        Ok(Self {
            position: usize::try_from(row.position).map_err(|_| corrupt("document position"))?,
            file_id: FileId::parse(&row.file_id)?,
            name: row.name,
            current_key: blob_key(&row.current_key)?,
            revision: row.revision,
        })
    }
}

impl TryFrom<SignerRow> for FlowSigner {
    type Error = Error;

    fn try_from(row: SignerRow) -> Result<Self> {
        let fields: serde_json::Value = serde_json::from_str(&row.fields).map_err(Error::storage)?;
        let fields = fields
            .as_array()
            .ok_or_else(|| corrupt("fields"))?
            .iter()
            .map(|f| Field::from_json(f).ok_or_else(|| corrupt("field")))
            .collect::<Result<_>>()?;
        Ok(Self {
            account_id: AccountId::parse(&row.account_id)?,
            order: row.sign_order,
            seal_id: row.seal_id.as_deref().map(SealId::parse).transpose()?,
            fields,
            auth: SignerAuth::parse(&row.auth).ok_or_else(|| corrupt("auth"))?,
            status: SignerStatus::parse(&row.status).ok_or_else(|| corrupt("signer status"))?,
            signed_at: row.signed_at,
            reject_reason: row.reject_reason,
        })
    }
}

fn fields_json(signer: &FlowSigner) -> String {
    serde_json::Value::Array(signer.fields.iter().map(Field::to_json).collect()).to_string()
}

#[async_trait]
impl FlowStore for SqlStore {
    async fn flow_insert(&self, flow: &FlowRecord, audit: &AuditEntry) -> Result<()> {
        let insert_flow = "insert into flow (flow_id, app_id, title, status, callback_url, expires_at, archived, \
                           created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        let insert_document = "insert into flow_document (flow_id, position, file_id, name, current_key, revision) \
                               values ($1, $2, $3, $4, $5, $6)";
        let insert_signer = "insert into flow_signer (flow_id, account_id, sign_order, seal_id, fields, auth, status, \
                             signed_at, reject_reason) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        on_pool!(&self.pool, |p| {
            let mut tx = p.begin().await.map_err(Error::storage)?;
            sqlx::query(insert_flow)
                .bind(flow.id.as_str())
                .bind(flow.app_id.as_str())
                .bind(&flow.title)
                .bind(flow.status.as_str())
                .bind(&flow.callback_url)
                .bind(flow.expires_at)
                .bind(flow.archived)
                .bind(flow.created_at)
                .bind(flow.updated_at)
                .execute(&mut *tx)
                .await
                .map_err(Error::storage)?;
            for document in &flow.documents {
                sqlx::query(insert_document)
                    .bind(flow.id.as_str())
                    .bind(document.position as i64)
                    .bind(document.file_id.as_str())
                    .bind(&document.name)
                    .bind(document.current_key.as_str())
                    .bind(document.revision)
                    .execute(&mut *tx)
                    .await
                    .map_err(Error::storage)?;
            }
            for signer in &flow.signers {
                sqlx::query(insert_signer)
                    .bind(flow.id.as_str())
                    .bind(signer.account_id.as_str())
                    .bind(signer.order)
                    .bind(signer.seal_id.as_ref().map(SealId::as_str))
                    .bind(fields_json(signer))
                    .bind(signer.auth.as_str())
                    .bind(signer.status.as_str())
                    .bind(signer.signed_at)
                    .bind(&signer.reject_reason)
                    .execute(&mut *tx)
                    .await
                    .map_err(Error::storage)?;
            }
            append_audit!(tx, audit);
            tx.commit().await.map_err(Error::storage)
        })
    }

    async fn flow_get(&self, app: &AppId, id: &FlowId) -> Result<Option<FlowRecord>> {
        let flow_sql = "select flow_id, app_id, title, status, callback_url, expires_at, archived, created_at, \
                        updated_at from flow where app_id = $1 and flow_id = $2";
        let documents_sql = "select position, file_id, name, current_key, revision from flow_document \
                             where flow_id = $1 order by position";
        let signers_sql = "select account_id, sign_order, seal_id, fields, auth, status, signed_at, reject_reason \
                           from flow_signer where flow_id = $1 order by sign_order, account_id";
        let (flow, documents, signers): (Option<FlowRow>, Vec<DocumentRow>, Vec<SignerRow>) =
            on_pool!(&self.pool, |p| {
                let mut tx = p.begin().await.map_err(Error::storage)?;
                let flow = sqlx::query_as(flow_sql)
                    .bind(app.as_str())
                    .bind(id.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(Error::storage)?;
                let documents = sqlx::query_as(documents_sql)
                    .bind(id.as_str())
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(Error::storage)?;
                let signers =
                    sqlx::query_as(signers_sql).bind(id.as_str()).fetch_all(&mut *tx).await.map_err(Error::storage)?;
                tx.commit().await.map_err(Error::storage)?;
                (flow, documents, signers)
            });
        let Some(flow) = flow else { return Ok(None) };
        Ok(Some(FlowRecord {
            id: FlowId::parse(&flow.flow_id)?,
            app_id: AppId::parse(&flow.app_id)?,
            title: flow.title,
            status: FlowStatus::parse(&flow.status).ok_or_else(|| corrupt("status"))?,
            callback_url: flow.callback_url,
            expires_at: flow.expires_at,
            archived: flow.archived,
            created_at: flow.created_at,
            updated_at: flow.updated_at,
            documents: documents.into_iter().map(FlowDocument::try_from).collect::<Result<_>>()?,
            signers: signers.into_iter().map(FlowSigner::try_from).collect::<Result<_>>()?,
        }))
    }

    async fn flow_update(&self, change: &FlowChange) -> Result<()> {
        let flow = &change.flow;
        let update_flow = "update flow set status = $3, archived = $4, updated_at = $5 \
                           where app_id = $1 and flow_id = $2 and updated_at = $6";
        let update_document = "update flow_document set current_key = $3, revision = $4 \
                               where flow_id = $1 and position = $2";
        // An upsert: flows whose signers join one task at a time (e签宝) add signers here.
        let update_signer = "insert into flow_signer (flow_id, account_id, status, signed_at, reject_reason, seal_id, \
                             fields, sign_order, auth) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                             on conflict (flow_id, account_id) do update set status = excluded.status, \
                             signed_at = excluded.signed_at, reject_reason = excluded.reject_reason, \
                             seal_id = excluded.seal_id, fields = excluded.fields";
        on_pool!(&self.pool, |p| {
            let mut tx = p.begin().await.map_err(Error::storage)?;
            let done = sqlx::query(update_flow)
                .bind(flow.app_id.as_str())
                .bind(flow.id.as_str())
                .bind(flow.status.as_str())
                .bind(flow.archived)
                .bind(flow.updated_at)
                .bind(change.expected_updated_at)
                .execute(&mut *tx)
                .await
                .map_err(Error::storage)?
                .rows_affected();
            if done == 0 {
                return Err(Error::ConcurrentUpdate("flow"));
            }
            for document in &flow.documents {
                sqlx::query(update_document)
                    .bind(flow.id.as_str())
                    .bind(document.position as i64)
                    .bind(document.current_key.as_str())
                    .bind(document.revision)
                    .execute(&mut *tx)
                    .await
                    .map_err(Error::storage)?;
            }
            for signer in &flow.signers {
                sqlx::query(update_signer)
                    .bind(flow.id.as_str())
                    .bind(signer.account_id.as_str())
                    .bind(signer.status.as_str())
                    .bind(signer.signed_at)
                    .bind(&signer.reject_reason)
                    .bind(signer.seal_id.as_ref().map(SealId::as_str))
                    .bind(fields_json(signer))
                    .bind(signer.order)
                    .bind(signer.auth.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(Error::storage)?;
            }
            for entry in &change.audit {
                append_audit!(tx, entry);
            }
            for event in &change.events {
                insert_event!(tx, event);
            }
            tx.commit().await.map_err(Error::storage)
        })
    }

    async fn flows_expired(&self, now: OffsetDateTime, limit: i64) -> Result<Vec<(AppId, FlowId)>> {
        let sql = "select app_id, flow_id from flow where status in ('draft', 'signing') \
                   and expires_at is not null and expires_at <= $1 order by expires_at limit $2";
        let rows: Vec<(String, String)> =
            on_pool!(&self.pool, |p| sqlx::query_as(sql).bind(now).bind(limit).fetch_all(p).await)
                .map_err(Error::storage)?;
        rows.iter().map(|(app, flow)| Ok((AppId::parse(app)?, FlowId::parse(flow)?))).collect()
    }

    async fn flow_count(&self, app: &AppId, status: FlowStatus) -> Result<i64> {
        let sql = "select count(*) from flow where app_id = $1 and status = $2";
        on_pool!(&self.pool, |p| sqlx::query_scalar(sql).bind(app.as_str()).bind(status.as_str()).fetch_one(p).await)
            .map_err(Error::storage)
    }
}
