//! Users (用户): persons and companies with numeric ids (`signerId` = the account's `seq`).

use super::error::{DigestError, DigestResult};
use super::tokens::Caller;
use crate::accounts::{AccountChanges, AccountKind, AccountRecord, NewAccount};
use crate::contact::normalise_mobile;
use crate::identity::{IdType, check_id_number};
use crate::ids::AppId;
use crate::{Error, Signet};

/// Most ID numbers one lookup may name.
const MAX_LOOKUP: usize = 200;

/// A user as `/user/userInfo/signerIds` shows it.
#[derive(Debug, Clone)]
pub struct DigestUser {
    pub signer_id: i64,
    pub kind: AccountKind,
    pub name: String,
    /// In clear: the document's query returns it to the owning platform.
    pub id_number: String,
    pub mobile: Option<String>,
}

impl Signet {
    /// The account behind a `signerId` of the calling app.
    pub async fn yunhetong_account(&self, app: &AppId, signer: i64) -> DigestResult<AccountRecord> {
        match self.account_by_seq(app, signer).await {
            Ok(account) if account.active => Ok(account),
            Ok(_) | Err(Error::NotFound(_)) => Err(DigestError::SignerNotFound(signer.to_string())),
            Err(other) => Err(other.into()),
        }
    }

    /// `/user/person`, `/user/company`: creates the account (and its certificate); returns its `signerId`.
    pub async fn yunhetong_create_user(&self, caller: &Caller, new: NewAccount) -> DigestResult<i64> {
        caller.require_platform()?;
        let number = new.id_number.trim().to_owned();
        match self.create_account(&caller.app, new).await {
            Ok(record) => Ok(record.seq),
            Err(Error::Conflict(_)) => Err(DigestError::IdNumberTaken(number)),
            Err(other) => Err(other.into()),
        }
    }

    /// `/user/personNameAndPhone`, `/user/companyNameAndPhone`: changes the name and/or mobile.
    /// Values equal to the current ones are refused, as the document requires.
    pub async fn yunhetong_update_user(
        &self,
        caller: &Caller,
        kind: AccountKind,
        signer: i64,
        name: Option<String>,
        mobile: Option<String>,
    ) -> DigestResult<()> {
        caller.require_self_or_platform(signer)?;
        let account = self.yunhetong_account(&caller.app, signer).await?;
        if account.kind != kind {
            return Err(DigestError::NoPermission(format!(
                "用户无权限: user {signer} is not a {} user",
                kind_label(kind)
            )));
        }
        if name.is_none() && mobile.is_none() {
            return Err(DigestError::invalid("userName", "nothing to change: give userName or phoneNo"));
        }
        if name.as_deref().map(str::trim) == Some(account.name.as_str()) {
            return Err(DigestError::Unchanged("userName"));
        }
        let mobile = match mobile {
            Some(raw) => {
                let normalised = normalise_mobile(&raw)
                    .ok_or_else(|| DigestError::invalid("phoneNo", "not a valid mobile number"))?;
                if account.mobile.as_deref() == Some(normalised.as_str()) {
                    return Err(DigestError::Unchanged("phoneNo"));
                }
                Some(Some(normalised))
            }
            None => None,
        };
        let changes = AccountChanges { name, mobile, ..AccountChanges::default() };
        self.update_account(&caller.app, account.id.as_str(), changes).await?;
        Ok(())
    }

    /// `/user/signerId/certifyNums`: the `signerId` of each registered ID number (unknown ones are
    /// left out). The number alone does not say its type, so every type's canonical form is tried.
    pub async fn yunhetong_signer_ids(&self, caller: &Caller, numbers: &[String]) -> DigestResult<Vec<(String, i64)>> {
        caller.require_platform()?;
        if numbers.len() > MAX_LOOKUP {
            return Err(DigestError::invalid("certifyNumList", format!("at most {MAX_LOOKUP} numbers")));
        }
        let today = self.clock.now().date();
        let mut found = Vec::new();
        for number in numbers {
            for id_type in IdType::ALL {
                let canonical =
                    check_id_number(id_type, number, today).unwrap_or_else(|_| number.trim().to_uppercase());
                let pseudonym = self.pki.id_number_pseudonym(id_type.as_str(), &canonical)?;
                if let Some(account) = self.store.account_find_by_pseudonym(&caller.app, &pseudonym).await? {
                    found.push((number.clone(), account.seq));
                    break;
                }
            }
        }
        Ok(found)
    }

    /// `/user/userInfo/signerIds` without a list: one page of all the app's users, and their count.
    pub async fn yunhetong_all_users(
        &self,
        caller: &Caller,
        page: usize,
        size: usize,
    ) -> DigestResult<(Vec<DigestUser>, usize)> {
        caller.require_platform()?;
        let offset = i64::try_from(page.saturating_sub(1).saturating_mul(size)).unwrap_or(i64::MAX);
        let limit = i64::try_from(size).unwrap_or(i64::MAX);
        let (accounts, total) = self.store.account_page(&caller.app, offset, limit).await?;
        let users = accounts.into_iter().map(|account| self.digest_user(account)).collect::<DigestResult<_>>()?;
        Ok((users, usize::try_from(total).unwrap_or(0)))
    }

    /// `/user/userInfo/signerIds`: the users named (unknown ids are left out).
    pub async fn yunhetong_users(&self, caller: &Caller, signers: &[i64]) -> DigestResult<Vec<DigestUser>> {
        caller.require_platform()?;
        if signers.len() > MAX_LOOKUP {
            return Err(DigestError::invalid("signerIdList", format!("at most {MAX_LOOKUP} ids")));
        }
        let mut users = Vec::new();
        for &signer in signers {
            let account = match self.yunhetong_account(&caller.app, signer).await {
                Ok(account) => account,
                Err(DigestError::SignerNotFound(_)) => continue,
                Err(other) => return Err(other),
            };
            users.push(self.digest_user(account)?);
        }
        Ok(users)
    }

    /// An account as the dialect describes a user, with its ID number in clear.
    fn digest_user(&self, account: AccountRecord) -> DigestResult<DigestUser> {
        Ok(DigestUser {
            signer_id: account.seq,
            kind: account.kind,
            id_number: self.account_id_number(&account)?,
            name: account.name,
            mobile: account.mobile,
        })
    }
}

pub(super) fn kind_label(kind: AccountKind) -> &'static str {
    match kind {
        AccountKind::Person => "个人",
        AccountKind::Org => "企业",
    }
}
