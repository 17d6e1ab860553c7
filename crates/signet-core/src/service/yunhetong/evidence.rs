//! Evidence (合同存证): a document's SHA-256 in the deployment's evidence log under the
//! caller's `sid`. The `czId` is the entry's 1-based position in that log: a number, as the
//! document's examples show, and stable for the life of the log.

use sha2::{Digest, Sha256};

use super::error::{DigestError, DigestResult};
use super::tokens::Caller;
use crate::service::evidence::EvidenceContent;
use crate::{Error, Signet};

impl Signet {
    /// `/cz/in`: logs the content under `sid` (4–50 characters, unique in the app); returns the `czId`.
    pub async fn yunhetong_deposit(&self, caller: &Caller, sid: &str, content: &[u8]) -> DigestResult<u64> {
        caller.require_platform()?;
        let sid = sid.trim();
        if !(4..=50).contains(&sid.chars().count()) {
            return Err(DigestError::invalid("sid", "长度为 4-50 的字符"));
        }
        if self.store.evidence_by_sid(&caller.app, sid).await?.is_some() {
            return Err(DigestError::SidTaken(sid.to_owned()));
        }
        let digest: [u8; 32] = Sha256::digest(content).into();
        match self.add_evidence(&caller.app, sid, EvidenceContent::Sha256(digest)).await {
            Ok(proof) => Ok(proof.record.leaf_index + 1),
            // Another request took the sid between the check and the append.
            Err(Error::Conflict(_)) => Err(DigestError::SidTaken(sid.to_owned())),
            Err(other) => Err(other.into()),
        }
    }

    /// `/cz/queryCzId`: the `czId` deposited under `sid`.
    pub async fn yunhetong_deposit_id(&self, caller: &Caller, sid: &str) -> DigestResult<u64> {
        caller.require_platform()?;
        let sid = sid.trim();
        match self.store.evidence_by_sid(&caller.app, sid).await? {
            Some(record) => Ok(record.leaf_index + 1),
            None => Err(DigestError::NoEvidence(sid.to_owned())),
        }
    }
}
