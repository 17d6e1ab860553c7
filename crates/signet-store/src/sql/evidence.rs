//! The evidence log: entries and the Merkle tree nodes over them.

use std::collections::HashMap;

use async_trait::async_trait;
use signet_core::evidence::{EvidenceId, EvidenceRecord, LogState};
use signet_core::ids::AppId;
use signet_core::ports::EvidenceStore;
use signet_core::{Error, Result};
use signet_tlog::{EMPTY_ROOT, Hash, NodeId};
use time::OffsetDateTime;

use super::{Pool, SqlStore, on_pool, on_unique};

#[derive(sqlx::FromRow)]
struct EvidenceRow {
    evidence_id: String,
    app_id: String,
    sid: String,
    sha256: String,
    leaf_index: i64,
    created_at: OffsetDateTime,
}

impl TryFrom<EvidenceRow> for EvidenceRecord {
    type Error = Error;

    fn try_from(row: EvidenceRow) -> Result<Self> {
        Ok(Self {
            id: EvidenceId::parse(&row.evidence_id)?,
            app_id: AppId::parse(&row.app_id)?,
            sid: row.sid,
            sha256: row.sha256,
            leaf_index: u64::try_from(row.leaf_index).map_err(|_| Error::Internal("negative leaf index".into()))?,
            created_at: row.created_at,
        })
    }
}

fn hash_of(bytes: &[u8]) -> Result<Hash> {
    Hash::try_from(bytes).map_err(|_| Error::Internal("stored tree hash has the wrong length".into()))
}

fn as_i64(n: u64) -> Result<i64> {
    i64::try_from(n).map_err(|_| Error::Internal("log index beyond i64".into()))
}

/// `select level, idx, hash from tlog_node where (level = $1 and idx = $2) or ...` for `count` nodes.
fn nodes_query(count: usize) -> String {
    let conditions: Vec<String> =
        (0..count).map(|i| format!("(level = ${} and idx = ${})", 2 * i + 1, 2 * i + 2)).collect();
    format!("select level, idx, hash from tlog_node where {}", conditions.join(" or "))
}

const EVIDENCE_COLUMNS: &str = "evidence_id, app_id, sid, sha256, leaf_index, created_at";

#[async_trait]
impl EvidenceStore for SqlStore {
    async fn evidence_append(&self, entry: &EvidenceRecord) -> Result<(u64, LogState)> {
        // The first statement writes, so SQLite takes its write lock at once (a deferred read
        // lock could not be upgraded under contention); PostgreSQL locks the state row.
        let lock = match self.pool {
            Pool::Sqlite(_) => "update tlog_state set size = size where id = 1 returning size",
            Pool::Postgres(_) => "select size from tlog_state where id = 1 for update",
        };
        on_pool!(&self.pool, |p| {
            let mut tx = p.begin().await.map_err(Error::storage)?;
            let size: i64 = sqlx::query_scalar(lock).fetch_one(&mut *tx).await.map_err(Error::storage)?;
            let size = u64::try_from(size).map_err(|_| Error::Internal("negative log size".into()))?;
            let reads = signet_tlog::append_reads(size);
            let mut known: HashMap<NodeId, Hash> = HashMap::new();
            if !reads.is_empty() {
                let sql = nodes_query(reads.len());
                let mut query = sqlx::query_as::<_, (i64, i64, Vec<u8>)>(&sql);
                for id in &reads {
                    query = query.bind(i64::from(id.level)).bind(as_i64(id.index)?);
                }
                for (level, idx, hash) in query.fetch_all(&mut *tx).await.map_err(Error::storage)? {
                    let id = NodeId { level: level as u8, index: idx as u64 };
                    known.insert(id, hash_of(&hash)?);
                }
            }
            let leaf = signet_tlog::leaf_hash(&entry.leaf_data());
            let appended =
                signet_tlog::append(&known, size, leaf).map_err(|e| Error::Internal(format!("evidence log: {e}")))?;
            let insert = format!("insert into evidence ({EVIDENCE_COLUMNS}) values ($1, $2, $3, $4, $5, $6)");
            sqlx::query(&insert)
                .bind(entry.id.as_str())
                .bind(entry.app_id.as_str())
                .bind(&entry.sid)
                .bind(&entry.sha256)
                .bind(as_i64(appended.index)?)
                .bind(entry.created_at)
                .execute(&mut *tx)
                .await
                .map_err(|e| on_unique(e, "an evidence entry with this sid already exists"))?;
            for (id, hash) in &appended.nodes {
                sqlx::query("insert into tlog_node (level, idx, hash) values ($1, $2, $3)")
                    .bind(i64::from(id.level))
                    .bind(as_i64(id.index)?)
                    .bind(hash.as_bytes().to_vec())
                    .execute(&mut *tx)
                    .await
                    .map_err(Error::storage)?;
            }
            let new_size = appended.index + 1;
            sqlx::query("update tlog_state set size = $1, root = $2 where id = 1")
                .bind(as_i64(new_size)?)
                .bind(appended.root.as_bytes().to_vec())
                .execute(&mut *tx)
                .await
                .map_err(Error::storage)?;
            tx.commit().await.map_err(Error::storage)?;
            Ok((appended.index, LogState { size: new_size, root: appended.root }))
        })
    }

    async fn evidence_get(&self, app: &AppId, id: &str) -> Result<Option<EvidenceRecord>> {
        let sql = format!("select {EVIDENCE_COLUMNS} from evidence where app_id = $1 and evidence_id = $2");
        let row: Option<EvidenceRow> =
            on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(app.as_str()).bind(id).fetch_optional(p).await)
                .map_err(Error::storage)?;
        row.map(EvidenceRecord::try_from).transpose()
    }

    async fn evidence_by_sid(&self, app: &AppId, sid: &str) -> Result<Option<EvidenceRecord>> {
        let sql = format!("select {EVIDENCE_COLUMNS} from evidence where app_id = $1 and sid = $2");
        let row: Option<EvidenceRow> =
            on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(app.as_str()).bind(sid).fetch_optional(p).await)
                .map_err(Error::storage)?;
        row.map(EvidenceRecord::try_from).transpose()
    }

    async fn log_state(&self) -> Result<LogState> {
        let sql = "select size, root from tlog_state where id = 1";
        let (size, root): (i64, Option<Vec<u8>>) =
            on_pool!(&self.pool, |p| sqlx::query_as(sql).fetch_one(p).await).map_err(Error::storage)?;
        let root = match root {
            Some(bytes) => hash_of(&bytes)?,
            None => EMPTY_ROOT,
        };
        Ok(LogState { size: u64::try_from(size).unwrap_or(0), root })
    }

    async fn log_nodes(&self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>> {
        let mut found = HashMap::new();
        // Proofs need at most ~2·log2(n) nodes; chunk to stay far below bind-parameter limits.
        for chunk in ids.chunks(200) {
            let sql = nodes_query(chunk.len());
            let rows: Vec<(i64, i64, Vec<u8>)> = on_pool!(&self.pool, |p| {
                let mut query = sqlx::query_as(&sql);
                for id in chunk {
                    query = query.bind(i64::from(id.level)).bind(as_i64(id.index)?);
                }
                query.fetch_all(p).await
            })
            .map_err(Error::storage)?;
            for (level, idx, hash) in rows {
                found.insert(NodeId { level: level as u8, index: idx as u64 }, hash_of(&hash)?);
            }
        }
        Ok(found)
    }
}
