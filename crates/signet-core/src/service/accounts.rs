//! Accounts: creation with identity checks and a certificate, lookup, changes, deactivation.

use serde_json::json;
use signet_pki::SubjectInfo;
use time::OffsetDateTime;

use super::Signet;
use crate::accounts::{
    AccountChanges, AccountId, AccountKind, AccountLookup, AccountRecord, NewAccount, mask_id_number,
};
use crate::audit::{AuditEntry, AuditRecord, verify_chain};
use crate::certificates::CertificateRecord;
use crate::contact::{normalise_email, normalise_mobile};
use crate::identity::{IdError, IdType, check_id_number};
use crate::ids::AppId;
use crate::{Error, Result};

const MAX_NAME_CHARS: usize = 100;
const MAX_THIRD_ID_CHARS: usize = 64;

impl Signet {
    /// Creates an account after checking its identity data, and issues its certificate.
    pub async fn create_account(&self, app: &AppId, new: NewAccount) -> Result<AccountRecord> {
        let now = self.clock.now();
        let name = check_name(&new.name)?;
        if new.id_type.is_organisation() != (new.kind == AccountKind::Org) {
            return Err(Error::invalid(
                "idType",
                format!("{} is not a document of a {}", new.id_type.as_str(), new.kind.as_str()),
            ));
        }
        let (id_number, waived) = self.check_identity(new.id_type, &new.id_number, new.waive_uscc_check, now)?;
        let mobile = new.mobile.as_deref().map(check_mobile).transpose()?;
        let email = new.email.as_deref().map(check_email).transpose()?;
        let third_id = new.third_id.as_deref().map(check_third_id).transpose()?;
        let agent_id = match &new.agent_id {
            Some(agent) => Some(self.agent_for(app, new.kind, agent).await?),
            None => None,
        };
        let pseudonym = self.pki.id_number_pseudonym(new.id_type.as_str(), &id_number)?;
        let id = AccountId::generate();
        let certificate = self.issue_account_certificate(app, &id, new.kind, &name, &pseudonym, now).await?;
        let mut record = AccountRecord {
            id,
            seq: 0,
            app_id: app.clone(),
            kind: new.kind,
            name,
            id_type: new.id_type,
            id_number_sealed: self.keys.seal(id_number.as_bytes(), id_number_context(app).as_bytes()),
            id_number_pseudonym: pseudonym,
            id_number_masked: mask_id_number(&id_number),
            mobile,
            email,
            third_id,
            agent_id,
            uscc_check_waived: waived,
            active: true,
            certificate_serial: Some(certificate.serial.clone()),
            created_at: now,
            updated_at: now,
        };
        let audit = AuditEntry::new(
            app,
            account_scope(&record.id),
            "account.created",
            json!({
                "kind": record.kind.as_str(),
                "idType": record.id_type.as_str(),
                "certificateSerial": certificate.serial,
                "usccCheckWaived": waived,
            }),
            now,
        );
        record.seq = self.store.account_insert(&record, Some(&certificate), &audit).await?;
        Ok(record)
    }

    /// Reads an account of the calling app (another app's account is "not found").
    pub async fn account(&self, app: &AppId, id: &str) -> Result<AccountRecord> {
        let id = AccountId::parse(id)?;
        self.store.account_get(app, &id).await?.ok_or(Error::NotFound("account"))
    }

    /// Reads an account by its numeric id (dialects with numeric ids).
    pub async fn account_by_seq(&self, app: &AppId, seq: i64) -> Result<AccountRecord> {
        self.store.account_get_by_seq(app, seq).await?.ok_or(Error::NotFound("account"))
    }

    /// Finds an active account by third-party id or ID number.
    pub async fn find_account(&self, app: &AppId, lookup: AccountLookup) -> Result<AccountRecord> {
        let found = match lookup {
            AccountLookup::ThirdId(third_id) => self.store.account_find_by_third_id(app, third_id.trim()).await?,
            AccountLookup::IdNumber { id_type, id_number } => {
                let number = check_id_number(id_type, &id_number, self.clock.now().date())
                    .or_else(|_| Ok::<_, Error>(id_number.trim().to_uppercase()))?;
                let pseudonym = self.pki.id_number_pseudonym(id_type.as_str(), &number)?;
                self.store.account_find_by_pseudonym(app, &pseudonym).await?
            }
        };
        found.ok_or(Error::NotFound("account"))
    }

    /// The ID number in clear, for the account's owner app (e.g. to show it masked on a page).
    pub fn account_id_number(&self, account: &AccountRecord) -> Result<String> {
        let clear = self.keys.open(&account.id_number_sealed, id_number_context(&account.app_id).as_bytes())?;
        String::from_utf8(clear).map_err(|_| Error::Internal("sealed ID number is not UTF-8".into()))
    }

    /// Changes an account; a new name gets a new certificate, since the old one names the old name.
    pub async fn update_account(&self, app: &AppId, id: &str, changes: AccountChanges) -> Result<AccountRecord> {
        let now = self.clock.now();
        let mut record = self.account(app, id).await?;
        if !record.active {
            return Err(Error::Conflict("the account is deactivated".into()));
        }
        let mut changed = Vec::new();
        let mut renewed = None;
        if let Some(name) = changes.name {
            let name = check_name(&name)?;
            if name != record.name {
                record.name = name;
                changed.push("name");
                let cert = self
                    .issue_account_certificate(
                        app,
                        &record.id,
                        record.kind,
                        &record.name,
                        &record.id_number_pseudonym,
                        now,
                    )
                    .await?;
                record.certificate_serial = Some(cert.serial.clone());
                renewed = Some(cert);
            }
        }
        if let Some(mobile) = changes.mobile {
            record.mobile = mobile.as_deref().map(check_mobile).transpose()?;
            changed.push("mobile");
        }
        if let Some(email) = changes.email {
            record.email = email.as_deref().map(check_email).transpose()?;
            changed.push("email");
        }
        if let Some(agent) = changes.agent_id {
            record.agent_id = match agent {
                Some(agent) => Some(self.agent_for(app, record.kind, &agent).await?),
                None => None,
            };
            changed.push("agentId");
        }
        record.updated_at = now;
        let detail = json!({
            "changed": changed,
            "renewedCertificateSerial": renewed.as_ref().map(|c| c.serial.clone()),
        });
        let audit = AuditEntry::new(app, account_scope(&record.id), "account.updated", detail, now);
        self.store.account_update(&record, renewed.as_ref(), &audit).await?;
        Ok(record)
    }

    /// Deactivates an account: it can no longer sign, and its ID number and third id become free.
    pub async fn deactivate_account(&self, app: &AppId, id: &str) -> Result<AccountRecord> {
        let now = self.clock.now();
        let mut record = self.account(app, id).await?;
        if !record.active {
            return Ok(record);
        }
        record.active = false;
        record.updated_at = now;
        let audit = AuditEntry::new(app, account_scope(&record.id), "account.deactivated", json!({}), now);
        self.store.account_update(&record, None, &audit).await?;
        Ok(record)
    }

    /// The account's current certificate, renewed first when it has expired or been revoked.
    pub async fn account_certificate(&self, account: &AccountRecord) -> Result<CertificateRecord> {
        let now = self.clock.now();
        if let Some(serial) = &account.certificate_serial
            && let Some(cert) = self.store.certificate_get(serial).await?
            && cert.usable_at(now + time::Duration::minutes(5))
        {
            return Ok(cert);
        }
        let cert = self
            .issue_account_certificate(
                &account.app_id,
                &account.id,
                account.kind,
                &account.name,
                &account.id_number_pseudonym,
                now,
            )
            .await?;
        let mut record = account.clone();
        record.certificate_serial = Some(cert.serial.clone());
        record.updated_at = now;
        let audit = AuditEntry::new(
            &account.app_id,
            account_scope(&account.id),
            "account.certificate_renewed",
            json!({"certificateSerial": cert.serial, "previousSerial": account.certificate_serial}),
            now,
        );
        self.store.account_update(&record, Some(&cert), &audit).await?;
        Ok(cert)
    }

    /// The audit trail of an account, checked for an unbroken chain.
    pub async fn account_audit(&self, app: &AppId, id: &str) -> Result<(Vec<AuditRecord>, bool)> {
        let account = self.account(app, id).await?;
        let records = self.store.audit_list(app, &account_scope(&account.id)).await?;
        let intact = verify_chain(&records);
        Ok((records, intact))
    }

    /// Checks an ID number; a USCC failing only its check character passes when the caller waives it.
    fn check_identity(&self, id_type: IdType, raw: &str, waive: bool, now: OffsetDateTime) -> Result<(String, bool)> {
        match check_id_number(id_type, raw, now.date()) {
            Ok(number) => Ok((number, false)),
            Err(IdError::CheckCharacter) if id_type == IdType::Uscc && waive => Ok((raw.trim().to_uppercase(), true)),
            Err(IdError::CheckCharacter) if id_type == IdType::Uscc => Err(Error::invalid(
                "idNumber",
                "has a wrong check character for a unified social credit code (GB 32100); \
                 if this is a genuine early pilot code, resend with waiveUsccCheck: true",
            )),
            Err(err) => Err(Error::invalid("idNumber", err.to_string())),
        }
    }

    /// An organisation's agent must be an active person of the same app.
    async fn agent_for(&self, app: &AppId, kind: AccountKind, agent: &str) -> Result<AccountId> {
        if kind != AccountKind::Org {
            return Err(Error::invalid("agentId", "only organisations have an agent"));
        }
        let agent = self.account(app, agent).await.map_err(|_| Error::invalid("agentId", "no such account"))?;
        if agent.kind != AccountKind::Person || !agent.active {
            return Err(Error::invalid("agentId", "the agent must be an active person account"));
        }
        Ok(agent.id)
    }

    async fn issue_account_certificate(
        &self,
        app: &AppId,
        account: &AccountId,
        kind: AccountKind,
        name: &str,
        pseudonym: &str,
        now: OffsetDateTime,
    ) -> Result<CertificateRecord> {
        let subject = account_subject(kind, name, pseudonym);
        let pki = std::sync::Arc::clone(&self.pki);
        let (algorithm, validity) = (self.config.account_key_algorithm, self.config.certificate_validity);
        // Key generation is CPU-bound (RSA: tens of milliseconds); keep it off the async workers.
        let issued = tokio::task::spawn_blocking(move || pki.issue_certificate(algorithm, &subject, now, validity))
            .await
            .map_err(|e| Error::Internal(format!("certificate issuance panicked: {e}")))??;
        Ok(CertificateRecord {
            serial: issued.serial,
            app_id: app.clone(),
            account_id: Some(account.clone()),
            certificate_der: issued.certificate_der,
            key_ref: issued.key_ref,
            not_before: issued.not_before,
            not_after: issued.not_after,
            revoked_at: None,
            created_at: now,
        })
    }
}

/// The subject of an account's certificates: its name, the organisation for companies, and the
/// pseudonym of its ID number (never the number itself).
pub(super) fn account_subject(kind: AccountKind, name: &str, pseudonym: &str) -> SubjectInfo {
    SubjectInfo {
        common_name: name.to_owned(),
        organisation: (kind == AccountKind::Org).then(|| name.to_owned()),
        serial_number: Some(pseudonym.to_owned()),
        ..SubjectInfo::default()
    }
}

/// The audit scope of an account.
pub(crate) fn account_scope(id: &AccountId) -> String {
    format!("account:{id}")
}

fn id_number_context(app: &AppId) -> String {
    format!("id-number:{app}")
}

fn check_name(raw: &str) -> Result<String> {
    let name = raw.trim();
    let count = name.chars().count();
    if count == 0 || count > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(Error::invalid("name", format!("expected 1 to {MAX_NAME_CHARS} printable characters")));
    }
    Ok(name.to_owned())
}

fn check_mobile(raw: &str) -> Result<String> {
    normalise_mobile(raw).ok_or_else(|| {
        Error::invalid("mobile", "expected a mobile number of mainland China, Hong Kong, Macau or Taiwan")
    })
}

fn check_email(raw: &str) -> Result<String> {
    normalise_email(raw).ok_or_else(|| Error::invalid("email", "expected an e-mail address"))
}

fn check_third_id(raw: &str) -> Result<String> {
    let id = raw.trim();
    if id.is_empty() || id.chars().count() > MAX_THIRD_ID_CHARS {
        return Err(Error::invalid("thirdId", format!("expected 1 to {MAX_THIRD_ID_CHARS} characters")));
    }
    Ok(id.to_owned())
}
