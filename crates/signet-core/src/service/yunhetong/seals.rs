//! Seals (印模) with numeric ids (`moulageId`).
//!
//! Native seal ids are random strings; the dialect's numbers come from a deployment-wide counter
//! and map to the seal through a write-once system record, so every node resolves them alike
//! without a schema of their own.

use bytes::Bytes;
use signet_seal::{CompanySealSpec, PersonalSealSpec, UploadOptions, mask_name};

use super::error::{DigestError, DigestResult};
use super::tokens::Caller;
use super::users::kind_label;
use crate::accounts::AccountKind;
use crate::ids::AppId;
use crate::seals::{SealId, SealRecord};
use crate::{Error, SealSource, Signet};

const COUNTER: &str = "yunhetong.moulage";

/// A seal to make; the name on templates is always the user's registered name.
#[derive(Debug, Clone)]
pub enum DigestSeal {
    /// `/moulage/person`: for persons only.
    Person(PersonalSealSpec),
    /// `/moulage/company`: for companies only; `masked` is mode 2 (脱敏).
    Company { spec: CompanySealSpec, masked: bool },
    /// `/moulage/upload`: a PNG or JPEG for any user.
    Image(Bytes),
}

fn record_key(number: i64) -> String {
    format!("yunhetong:moulage:{number}")
}

impl Signet {
    /// Creates a seal for a user and returns its `moulageId`.
    pub async fn yunhetong_create_seal(&self, caller: &Caller, signer: i64, seal: DigestSeal) -> DigestResult<i64> {
        caller.require_self_or_platform(signer)?;
        let account = self.yunhetong_account(&caller.app, signer).await?;
        let required = match &seal {
            DigestSeal::Person(_) => Some(AccountKind::Person),
            DigestSeal::Company { .. } => Some(AccountKind::Org),
            DigestSeal::Image(_) => None,
        };
        if let Some(kind) = required
            && kind != account.kind
        {
            return Err(DigestError::NoPermission(format!(
                "用户无权限: user {signer} is not a {} user",
                kind_label(kind)
            )));
        }
        let source = match seal {
            DigestSeal::Person(spec) => SealSource::Person(PersonalSealSpec { name: account.name.clone(), ..spec }),
            DigestSeal::Company { spec, masked } => {
                let chars: Vec<char> = account.name.chars().collect();
                let name = if masked { mask_name(&chars).into_iter().collect() } else { account.name.clone() };
                SealSource::Company(CompanySealSpec { name, ..spec })
            }
            DigestSeal::Image(bytes) => SealSource::Image { bytes, options: UploadOptions::default(), width_mm: None },
        };
        let record = self.create_seal(&caller.app, account.id.as_str(), None, source, false).await?;
        let number = self.store.counter_next(COUNTER).await?;
        let value = format!("{}\n{}", caller.app.as_str(), record.id.as_str());
        self.store.system_put_if_absent(&record_key(number), value.as_bytes()).await?;
        Ok(number)
    }

    /// The active seal behind a `moulageId` of the calling app.
    pub async fn yunhetong_seal(&self, app: &AppId, number: i64) -> DigestResult<SealRecord> {
        let Some(value) = self.store.system_get(&record_key(number)).await? else {
            return Err(DigestError::SealNotFound(number));
        };
        let value = String::from_utf8_lossy(&value);
        let Some((owner, seal)) = value.split_once('\n') else {
            return Err(Error::Internal(format!("malformed seal number record {number}")).into());
        };
        if owner != app.as_str() {
            return Err(DigestError::SealNotFound(number));
        }
        let id = SealId::parse(seal).map_err(|_| Error::Internal(format!("malformed seal id under {number}")))?;
        match self.store.seal_get(app, &id).await? {
            Some(seal) if seal.active => Ok(seal),
            _ => Err(DigestError::SealNotFound(number)),
        }
    }
}
