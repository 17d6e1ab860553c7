//! Real-name verification of accounts: run a check through the provider, record it with its
//! audit entry, and derive the account's status and level.

use serde_json::json;
use time::{Duration, OffsetDateTime};

use super::Signet;
use super::accounts::account_scope;
use crate::accounts::{AccountKind, AccountRecord};
use crate::audit::AuditEntry;
use crate::contact::normalise_mobile;
use crate::identity::IdType;
use crate::ids::AppId;
use crate::verification::{
    AccountVerification, CheckOutcome, DepositAnswer, DepositOrder, DepositReceipt, DepositRequest, IdentityCheck,
    ProviderError, VerificationId, VerificationKind, VerificationRecord, mask_tail,
};
use crate::{Error, Result};

/// How long an organisation has to report a micro-deposit's amount.
const DEPOSIT_VALIDITY: Duration = Duration::hours(72);
/// Wrong amounts before a micro-deposit is dead.
const DEPOSIT_ATTEMPTS: i32 = 3;

/// A check to run on an account. The name and ID number always come from the account itself, so
/// a check verifies the identity the account signs with, not data the caller makes up.
#[derive(Clone)]
pub enum VerificationRequest {
    PersonTwoElement,
    /// `mobile`: the account's own when absent.
    CarrierThreeElement {
        mobile: Option<String>,
    },
    /// `mobile`: the card's reserved mobile; the account's own when absent.
    BankCardFourElement {
        bank_card: String,
        mobile: Option<String>,
    },
    EnterpriseThreeElement {
        legal_rep_name: String,
    },
    EnterpriseFourElement {
        legal_rep_name: String,
        legal_rep_id_number: String,
    },
    MicroDeposit(DepositRequest),
}

impl VerificationRequest {
    pub fn kind(&self) -> VerificationKind {
        match self {
            Self::PersonTwoElement => VerificationKind::PersonTwoElement,
            Self::CarrierThreeElement { .. } => VerificationKind::CarrierThreeElement,
            Self::BankCardFourElement { .. } => VerificationKind::BankCardFourElement,
            Self::EnterpriseThreeElement { .. } => VerificationKind::EnterpriseThreeElement,
            Self::EnterpriseFourElement { .. } => VerificationKind::EnterpriseFourElement,
            Self::MicroDeposit(_) => VerificationKind::MicroDeposit,
        }
    }
}

/// Bank data and legal representatives' ID numbers must never reach a log.
impl std::fmt::Debug for VerificationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VerificationRequest({})", self.kind().as_str())
    }
}

impl Signet {
    /// Runs a check on an account of the calling app and records it (with its audit entry).
    pub async fn verify_account(
        &self,
        app: &AppId,
        account_id: &str,
        request: VerificationRequest,
    ) -> Result<VerificationRecord> {
        let account = self.account(app, account_id).await?;
        if !account.active {
            return Err(Error::Conflict("the account is deactivated".into()));
        }
        let kind = request.kind();
        let expected = if kind.is_organisation() { AccountKind::Org } else { AccountKind::Person };
        if account.kind != expected {
            return Err(Error::invalid(
                "kind",
                format!("{} checks are for {} accounts", kind.as_str(), expected.as_str()),
            ));
        }
        if let VerificationRequest::MicroDeposit(deposit) = request {
            return self.send_deposit(&account, deposit).await;
        }
        let (check, masked) = self.identity_check(&account, request)?;
        let verdict = self.verifier.check(&check).await.map_err(provider_error)?;
        let now = self.clock.now();
        let record = VerificationRecord {
            id: VerificationId::generate(),
            app_id: app.clone(),
            account_id: account.id.clone(),
            kind,
            outcome: if verdict.matched { CheckOutcome::Match } else { CheckOutcome::Mismatch },
            provider: self.verifier.name_for(kind).to_owned(),
            provider_ref: verdict.reference,
            reason: (!verdict.matched).then_some(verdict.description),
            masked_inputs: masked,
            deposit_hash: None,
            attempts: 0,
            expires_at: None,
            created_at: now,
            updated_at: now,
        };
        self.store.verification_insert(&record, &check_audit(&record, now)).await?;
        Ok(record)
    }

    /// Checks a micro-deposit's reported amount (in fen): against the stored hash of the amount
    /// Signet chose, or through the provider that chose it. A wrong amount counts an attempt;
    /// the third, an answer after the deadline, or the provider ending its flow, ends the check
    /// as expired.
    pub async fn confirm_deposit(
        &self,
        app: &AppId,
        account_id: &str,
        check_id: &str,
        amount_fen: u32,
    ) -> Result<VerificationRecord> {
        let account = self.account(app, account_id).await?;
        let check_id = VerificationId::parse(check_id)?;
        let mut record = self
            .store
            .verification_list(app, &account.id)
            .await?
            .into_iter()
            .find(|c| c.id == check_id)
            .ok_or(Error::NotFound("verification"))?;
        if record.kind != VerificationKind::MicroDeposit {
            return Err(Error::invalid("amount", "only micro-deposit checks take an amount"));
        }
        if record.outcome != CheckOutcome::Pending {
            return Err(Error::Conflict(format!("the check is already {}", record.outcome.as_str())));
        }
        let now = self.clock.now();
        let expected_attempts = record.attempts;
        let late = record.expires_at.is_some_and(|at| now >= at);
        let answer = if late {
            DepositAnswer::Exhausted
        } else if let Some(hash) = record.deposit_hash.as_deref() {
            if hash == self.deposit_hash(&record.id, amount_fen) { DepositAnswer::Right } else { DepositAnswer::Wrong }
        } else {
            let reference = record
                .provider_ref
                .as_deref()
                .ok_or_else(|| Error::Internal("a micro-deposit without its reference".into()))?;
            self.verifier.confirm_deposit(reference, amount_fen).await.map_err(provider_error)?
        };
        record.updated_at = now;
        record.outcome = match answer {
            DepositAnswer::Right => CheckOutcome::Match,
            DepositAnswer::Exhausted => CheckOutcome::Expired,
            DepositAnswer::Wrong => {
                record.attempts += 1;
                if record.attempts >= DEPOSIT_ATTEMPTS { CheckOutcome::Expired } else { CheckOutcome::Pending }
            }
        };
        if !self.store.verification_update(&record, expected_attempts, &check_audit(&record, now)).await? {
            return Err(Error::Conflict("the check was answered concurrently; read it again".into()));
        }
        Ok(record)
    }

    /// The account's verification status, level and checks.
    pub async fn account_verification(&self, app: &AppId, account_id: &str) -> Result<AccountVerification> {
        let account = self.account(app, account_id).await?;
        self.verification_of(&account).await
    }

    pub(crate) async fn verification_of(&self, account: &AccountRecord) -> Result<AccountVerification> {
        let checks = self.store.verification_list(&account.app_id, &account.id).await?;
        Ok(AccountVerification::from_checks(checks))
    }

    /// Whether face verification is available for willingness.
    pub fn has_face_verifier(&self) -> bool {
        self.face.is_some()
    }

    async fn send_deposit(&self, account: &AccountRecord, request: DepositRequest) -> Result<VerificationRecord> {
        let bank_name = request.bank_name.trim();
        if bank_name.is_empty() || bank_name.chars().count() > 100 {
            return Err(Error::invalid("bankName", "expected 1 to 100 characters"));
        }
        let bank_account: String = request.bank_account.chars().filter(|c| !c.is_whitespace()).collect();
        if !(6..=32).contains(&bank_account.len()) || !bank_account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid("bankAccount", "expected 6 to 32 digits"));
        }
        let optional = |value: Option<String>, field: &'static str| -> Result<Option<String>> {
            match value.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(v) if v.chars().count() > 100 || v.chars().any(char::is_control) => {
                    Err(Error::invalid(field, "expected at most 100 printable characters"))
                }
                Some(v) => Ok(Some(v.to_owned())),
            }
        };
        let legal_rep_name = request.legal_rep_name.as_deref().map(check_rep_name).transpose()?;
        let cnaps_code = optional(request.cnaps_code, "cnapsCode")?;
        if cnaps_code.as_deref().is_some_and(|c| c.len() != 12 || !c.bytes().all(|b| b.is_ascii_digit())) {
            return Err(Error::invalid("cnapsCode", "expected the branch's 12-digit CNAPS code"));
        }
        let id = VerificationId::generate();
        let amount_fen = 1 + crate::random::digits(2).parse::<u32>().unwrap_or(0) % 99;
        let order = DepositOrder {
            reference: id.to_string(),
            account_name: account.name.clone(),
            uscc: self.account_id_number(account)?,
            legal_rep_name,
            bank_name: bank_name.to_owned(),
            bank_account: bank_account.clone(),
            bank_branch: optional(request.bank_branch, "bankBranch")?,
            bank_province: optional(request.bank_province, "bankProvince")?,
            bank_city: optional(request.bank_city, "bankCity")?,
            cnaps_code,
            amount_fen,
        };
        let receipt = self.verifier.start_deposit(&order).await.map_err(provider_error)?;
        let now = self.clock.now();
        let mut record = VerificationRecord {
            deposit_hash: None,
            id,
            app_id: account.app_id.clone(),
            account_id: account.id.clone(),
            kind: VerificationKind::MicroDeposit,
            outcome: CheckOutcome::Pending,
            provider: self.verifier.name_for(VerificationKind::MicroDeposit).to_owned(),
            provider_ref: None,
            reason: None,
            masked_inputs: json!({"bankName": bank_name, "bankAccount": mask_tail(&bank_account)}),
            attempts: 0,
            expires_at: None,
            created_at: now,
            updated_at: now,
        };
        match receipt {
            DepositReceipt::Paid { reference } => {
                record.deposit_hash = Some(self.deposit_hash(&record.id, amount_fen));
                record.provider_ref = Some(reference);
                record.expires_at = Some(now + DEPOSIT_VALIDITY);
            }
            DepositReceipt::PaidByProvider { reference, valid_for } => {
                record.provider_ref = Some(reference);
                record.expires_at = Some(now + valid_for);
            }
            DepositReceipt::Mismatch(verdict) => {
                record.outcome = CheckOutcome::Mismatch;
                record.provider_ref = verdict.reference;
                record.reason = Some(verdict.description);
            }
        }
        self.store.verification_insert(&record, &check_audit(&record, now)).await?;
        Ok(record)
    }

    /// Builds the provider's request from the account's own identity plus the caller's extras,
    /// and the masked extras to keep.
    fn identity_check(
        &self,
        account: &AccountRecord,
        request: VerificationRequest,
    ) -> Result<(IdentityCheck, serde_json::Value)> {
        let name = account.name.clone();
        let id_number = self.account_id_number(account)?;
        let person_id = || {
            if account.id_type == IdType::ResidentId {
                Ok(id_number.clone())
            } else {
                Err(Error::invalid("idType", "person checks cover mainland resident ID numbers only"))
            }
        };
        let mobile_of = |given: Option<String>| -> Result<String> {
            let raw = given
                .or_else(|| account.mobile.clone())
                .ok_or_else(|| Error::invalid("mobile", "the account has no mobile number; send one"))?;
            normalise_mobile(&raw)
                .filter(|m| m.len() == 11)
                .ok_or_else(|| Error::invalid("mobile", "expected a mainland China mobile number"))
        };
        let org_uscc = || {
            if account.id_type == IdType::Uscc {
                Ok(id_number.clone())
            } else {
                Err(Error::invalid("idType", "enterprise checks need a unified social credit code"))
            }
        };
        Ok(match request {
            VerificationRequest::PersonTwoElement => {
                (IdentityCheck::PersonTwoElement { name, id_number: person_id()? }, json!({}))
            }
            VerificationRequest::CarrierThreeElement { mobile } => {
                let mobile = mobile_of(mobile)?;
                let masked = json!({"mobile": crate::codes::mask_recipient(&mobile)});
                (IdentityCheck::CarrierThreeElement { name, id_number: person_id()?, mobile }, masked)
            }
            VerificationRequest::BankCardFourElement { bank_card, mobile } => {
                let mobile = mobile_of(mobile)?;
                let card: String = bank_card.chars().filter(|c| !c.is_whitespace()).collect();
                if !(12..=19).contains(&card.len()) || !card.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Error::invalid("bankCard", "expected 12 to 19 digits"));
                }
                let masked = json!({"mobile": crate::codes::mask_recipient(&mobile), "bankCard": mask_tail(&card)});
                let check =
                    IdentityCheck::BankCardFourElement { name, id_number: person_id()?, mobile, bank_card: card };
                (check, masked)
            }
            VerificationRequest::EnterpriseThreeElement { legal_rep_name } => {
                let legal_rep_name = check_rep_name(&legal_rep_name)?;
                let check = IdentityCheck::EnterpriseThreeElement { org_name: name, uscc: org_uscc()?, legal_rep_name };
                (check, json!({}))
            }
            VerificationRequest::EnterpriseFourElement { legal_rep_name, legal_rep_id_number } => {
                let legal_rep_name = check_rep_name(&legal_rep_name)?;
                let rep_id =
                    crate::identity::check_id_number(IdType::ResidentId, &legal_rep_id_number, self.clock.now().date())
                        .map_err(|e| Error::invalid("legalRepIdNumber", e.to_string()))?;
                let masked = json!({"legalRepIdNumber": crate::accounts::mask_id_number(&rep_id)});
                let check = IdentityCheck::EnterpriseFourElement {
                    org_name: name,
                    uscc: org_uscc()?,
                    legal_rep_name,
                    legal_rep_id_number: rep_id,
                };
                (check, masked)
            }
            VerificationRequest::MicroDeposit(_) => {
                return Err(Error::Internal("micro-deposits are not identity checks".into()));
            }
        })
    }

    /// Deposit amounts are small numbers, so only a keyed hash bound to the check is stored.
    fn deposit_hash(&self, id: &VerificationId, amount_fen: u32) -> String {
        hex::encode(self.keys.token_mac(format!("micro-deposit\n{id}\n{amount_fen}").as_bytes()))
    }
}

/// The audit entry of a check: kind, outcome, provider and its reference; never identity data.
fn check_audit(record: &VerificationRecord, now: OffsetDateTime) -> AuditEntry {
    let detail = json!({
        "verificationId": record.id.as_str(),
        "kind": record.kind.as_str(),
        "outcome": record.outcome.as_str(),
        "provider": record.provider,
        "providerRef": record.provider_ref,
        "reason": record.reason,
        "attempts": record.attempts,
        "inputs": record.masked_inputs,
    });
    AuditEntry::new(&record.app_id, account_scope(&record.account_id), "verification.checked", detail, now)
}

/// A provider's refusal of an input is the caller's 400; everything else stays a provider error.
pub(crate) fn provider_error(err: ProviderError) -> Error {
    match err {
        ProviderError::Input { field, reason } => Error::invalid(field, reason),
        other => Error::Provider(other),
    }
}

fn check_rep_name(raw: &str) -> Result<String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 50 || name.chars().any(char::is_control) {
        return Err(Error::invalid("legalRepName", "expected 1 to 50 printable characters"));
    }
    Ok(name.to_owned())
}
