//! Evidence: log document hashes, prove inclusion, publish signed tree heads.

use signet_pki::KeyCustody;
use signet_tlog::{HeadSigner, TreeHead};

use super::Signet;
use crate::evidence::{EvidenceId, EvidenceRecord, LogState};
use crate::ids::AppId;
use crate::{Error, Result};

/// The name of the log in its signed tree heads.
const LOG_NAME: &str = "signet/evidence";

/// What was evidenced.
#[derive(Debug, Clone)]
pub enum EvidenceContent {
    /// A digest computed by the caller.
    Sha256([u8; 32]),
    /// A stored file of the app.
    File(String),
}

/// An entry with its position, and the proof that the log of `state.size` leaves includes it.
#[derive(Debug, Clone)]
pub struct EvidenceProof {
    pub record: EvidenceRecord,
    pub state: LogState,
    pub proof: Vec<signet_tlog::Hash>,
}

impl Signet {
    /// Logs content under the caller's `sid` (4–50 characters, unique within the app).
    pub async fn add_evidence(&self, app: &AppId, sid: &str, content: EvidenceContent) -> Result<EvidenceProof> {
        let sid = sid.trim();
        if !(4..=50).contains(&sid.chars().count()) || sid.chars().any(char::is_control) {
            return Err(Error::invalid("sid", "expected 4 to 50 printable characters"));
        }
        let sha256 = match content {
            EvidenceContent::Sha256(digest) => hex::encode(digest),
            EvidenceContent::File(id) => self.file(app, &id).await?.sha256,
        };
        self.log_evidence(app, sid, sha256).await
    }

    /// An entry by id or by the caller's sid, with a fresh inclusion proof.
    pub async fn evidence(&self, app: &AppId, id_or_sid: &str) -> Result<EvidenceProof> {
        let record = match self.store.evidence_get(app, id_or_sid).await? {
            Some(record) => record,
            None => self.store.evidence_by_sid(app, id_or_sid).await?.ok_or(Error::NotFound("evidence"))?,
        };
        let state = self.store.log_state().await?;
        let plan =
            signet_tlog::inclusion_plan(record.leaf_index, state.size).map_err(|e| Error::Internal(e.to_string()))?;
        let nodes = self.store.log_nodes(&plan.node_ids()).await?;
        let proof = plan.resolve(&nodes).map_err(|e| Error::Internal(format!("evidence log: {e}")))?;
        Ok(EvidenceProof { record, state, proof })
    }

    /// The current tree head, signed with the time-stamping unit's key as a C2SP signed note.
    pub async fn signed_tree_head(&self) -> Result<(TreeHead, String)> {
        let state = self.store.log_state().await?;
        let now = self.clock.now();
        let head = TreeHead {
            size: state.size,
            root: state.root,
            timestamp_ms: (now.unix_timestamp_nanos() / 1_000_000) as u64,
        };
        let signer = self.pki.custody.signer(&self.pki.ca.tsa.key)?;
        let note = signet_tlog::sign_tree_head(LOG_NAME, &head, &NoteSigner { key: signer.as_ref() })
            .map_err(|e| Error::Internal(format!("tree head: {e}")))?;
        Ok((head, note))
    }

    /// Logs a signed or completed document automatically, under a generated sid.
    pub(crate) async fn log_evidence(&self, app: &AppId, sid: &str, sha256: String) -> Result<EvidenceProof> {
        let record = EvidenceRecord {
            id: EvidenceId::generate(),
            app_id: app.clone(),
            sid: sid.to_owned(),
            sha256,
            leaf_index: 0,
            created_at: self.clock.now(),
        };
        let (leaf_index, state) = self.store.evidence_append(&record).await?;
        let record = EvidenceRecord { leaf_index, ..record };
        let plan = signet_tlog::inclusion_plan(leaf_index, state.size).map_err(|e| Error::Internal(e.to_string()))?;
        let nodes = self.store.log_nodes(&plan.node_ids()).await?;
        let proof = plan.resolve(&nodes).map_err(|e| Error::Internal(format!("evidence log: {e}")))?;
        Ok(EvidenceProof { record, state, proof })
    }
}

/// Signs tree heads with a PKI key.
struct NoteSigner<'a> {
    key: &'a dyn signet_pki::KeySigner,
}

impl HeadSigner for NoteSigner<'_> {
    fn key_name(&self) -> &str {
        LOG_NAME
    }

    fn key_id(&self) -> [u8; 4] {
        signet_tlog::spki_key_id(&self.key.public_key_der())
    }

    fn sign(&self, message: &[u8]) -> std::result::Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(self.key.sign(message)?)
    }
}
