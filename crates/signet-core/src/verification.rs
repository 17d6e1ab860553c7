//! Real-name verification (实名认证): checks of an account's identity against an authoritative
//! source, run through a [`VerificationProvider`], and the status and level they add up to.
//!
//! The checks are the ones Chinese platforms sell: a person's name and ID number (二要素), plus
//! the mobile number registered with the carrier (运营商三要素) or a bank card with its reserved
//! mobile (银行卡四要素); an organisation's name, USCC and legal representative (企业三/四要素);
//! and a micro-deposit (打款认证): a random amount is paid to the organisation's bank account and
//! the organisation proves control of the account by reporting the amount back.
//!
//! Identity data sent to a provider is never stored in clear: a check keeps only masked values.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::accounts::AccountId;
use crate::ids::AppId;

crate::ids::random_id!(
    /// The identifier of one verification check.
    VerificationId,
    "verification"
);

/// What a check compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerificationKind {
    /// Name + resident ID number (个人二要素).
    PersonTwoElement,
    /// Name + ID number + mobile number, against the carrier (运营商三要素).
    CarrierThreeElement,
    /// Name + ID number + bank card + the card's reserved mobile (银行卡四要素).
    BankCardFourElement,
    /// Organisation name + USCC + legal representative's name (企业三要素).
    EnterpriseThreeElement,
    /// Enterprise three elements + the legal representative's ID number (企业四要素).
    EnterpriseFourElement,
    /// A random amount paid to the organisation's bank account, reported back (打款认证).
    MicroDeposit,
}

impl VerificationKind {
    pub const ALL: [Self; 6] = [
        Self::PersonTwoElement,
        Self::CarrierThreeElement,
        Self::BankCardFourElement,
        Self::EnterpriseThreeElement,
        Self::EnterpriseFourElement,
        Self::MicroDeposit,
    ];

    /// The native API's name of the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PersonTwoElement => "person_two_element",
            Self::CarrierThreeElement => "carrier_three_element",
            Self::BankCardFourElement => "bank_card_four_element",
            Self::EnterpriseThreeElement => "enterprise_three_element",
            Self::EnterpriseFourElement => "enterprise_four_element",
            Self::MicroDeposit => "micro_deposit",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// Whether the check is about an organisation (else a person).
    pub fn is_organisation(self) -> bool {
        matches!(self, Self::EnterpriseThreeElement | Self::EnterpriseFourElement | Self::MicroDeposit)
    }

    /// The level a passed check of this kind reaches.
    pub fn level(self) -> VerificationLevel {
        match self {
            Self::PersonTwoElement | Self::EnterpriseThreeElement => VerificationLevel::Basic,
            Self::CarrierThreeElement | Self::EnterpriseFourElement => VerificationLevel::Standard,
            Self::BankCardFourElement | Self::MicroDeposit => VerificationLevel::Strong,
        }
    }
}

/// How strongly an account's identity is established, by the strongest check it passed.
///
/// `basic`: the identity exists (two elements, enterprise three elements); `standard`: it is
/// tied to something the holder uses (carrier three elements, enterprise four elements);
/// `strong`: it is tied to money the holder controls (bank card four elements, micro-deposit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum VerificationLevel {
    None,
    Basic,
    Standard,
    Strong,
}

impl VerificationLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Basic => "basic",
            Self::Standard => "standard",
            Self::Strong => "strong",
        }
    }
}

/// Where an account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerificationStatus {
    /// No check was run yet.
    Unverified,
    /// A micro-deposit was sent and waits for its amount.
    Pending,
    /// At least one check passed.
    Verified,
    /// The latest checks failed and none passed.
    Failed,
}

impl VerificationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unverified => "unverified",
            Self::Pending => "pending",
            Self::Verified => "verified",
            Self::Failed => "failed",
        }
    }
}

/// The result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOutcome {
    /// The data matches the authoritative source.
    Match,
    /// The data does not match (or does not exist there).
    Mismatch,
    /// A micro-deposit waits for its amount.
    Pending,
    /// A micro-deposit's amount was never reported right (too many attempts or expired).
    Expired,
}

impl CheckOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Match => "match",
            Self::Mismatch => "mismatch",
            Self::Pending => "pending",
            Self::Expired => "expired",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Match, Self::Mismatch, Self::Pending, Self::Expired].into_iter().find(|o| o.as_str() == raw)
    }
}

/// One check as stored.
#[derive(Debug, Clone)]
pub struct VerificationRecord {
    pub id: VerificationId,
    pub app_id: AppId,
    pub account_id: AccountId,
    pub kind: VerificationKind,
    pub outcome: CheckOutcome,
    /// The provider's name (`tencent`, `outbox`, ...).
    pub provider: String,
    /// The provider's own reference (request id, payment reference), for support cases.
    pub provider_ref: Option<String>,
    /// The provider's explanation of a mismatch, safe to show (no identity data).
    pub reason: Option<String>,
    /// Masked inputs beyond the account's own data (`138****8000`, `****1234`).
    pub masked_inputs: serde_json::Value,
    /// Micro-deposits: keyed hash of the amount in fen; wrong answers so far; answer deadline.
    pub deposit_hash: Option<String>,
    pub attempts: i32,
    pub expires_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// An account's verification state, derived from its checks.
#[derive(Debug, Clone)]
pub struct AccountVerification {
    pub status: VerificationStatus,
    pub level: VerificationLevel,
    /// Newest first.
    pub checks: Vec<VerificationRecord>,
}

impl AccountVerification {
    /// Derives status and level from the checks (newest first).
    pub fn from_checks(checks: Vec<VerificationRecord>) -> Self {
        let level = checks
            .iter()
            .filter(|c| c.outcome == CheckOutcome::Match)
            .map(|c| c.kind.level())
            .max()
            .unwrap_or(VerificationLevel::None);
        let status = if level > VerificationLevel::None {
            VerificationStatus::Verified
        } else {
            match checks.first().map(|c| c.outcome) {
                None => VerificationStatus::Unverified,
                Some(CheckOutcome::Pending) => VerificationStatus::Pending,
                Some(_) => VerificationStatus::Failed,
            }
        };
        Self { status, level, checks }
    }

    pub fn is_verified(&self) -> bool {
        self.status == VerificationStatus::Verified
    }
}

/// What a provider is asked to compare. Values are normalised and checked by the core first.
#[derive(Clone, PartialEq, Eq)]
pub enum IdentityCheck {
    PersonTwoElement { name: String, id_number: String },
    CarrierThreeElement { name: String, id_number: String, mobile: String },
    BankCardFourElement { name: String, id_number: String, mobile: String, bank_card: String },
    EnterpriseThreeElement { org_name: String, uscc: String, legal_rep_name: String },
    EnterpriseFourElement { org_name: String, uscc: String, legal_rep_name: String, legal_rep_id_number: String },
}

impl IdentityCheck {
    pub fn kind(&self) -> VerificationKind {
        match self {
            Self::PersonTwoElement { .. } => VerificationKind::PersonTwoElement,
            Self::CarrierThreeElement { .. } => VerificationKind::CarrierThreeElement,
            Self::BankCardFourElement { .. } => VerificationKind::BankCardFourElement,
            Self::EnterpriseThreeElement { .. } => VerificationKind::EnterpriseThreeElement,
            Self::EnterpriseFourElement { .. } => VerificationKind::EnterpriseFourElement,
        }
    }
}

/// Identity data must never reach a log, so `Debug` shows only the kind.
impl std::fmt::Debug for IdentityCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdentityCheck({})", self.kind().as_str())
    }
}

/// Where a micro-deposit goes. Only the bank and account number are always required; the rest
/// is what providers that pay through bank channels need (e签宝: the legal representative for
/// its opening enterprise comparison, the branch, its province and city and its CNAPS code).
#[derive(Clone, Default)]
pub struct DepositRequest {
    pub bank_name: String,
    pub bank_account: String,
    pub legal_rep_name: Option<String>,
    pub bank_branch: Option<String>,
    pub bank_province: Option<String>,
    pub bank_city: Option<String>,
    pub cnaps_code: Option<String>,
}

/// A micro-deposit to pay out.
#[derive(Clone, PartialEq, Eq)]
pub struct DepositOrder {
    /// Our reference, quoted in the payment's remark so the payer can find it.
    pub reference: String,
    pub account_name: String,
    /// The organisation's USCC (or registration number), for providers that compare the
    /// organisation before they pay.
    pub uscc: String,
    /// The legal representative's name, for the same providers (e签宝 starts its payment flow
    /// with an enterprise three-element comparison).
    pub legal_rep_name: Option<String>,
    /// The bank (head office for providers that want the branch apart, `bank_branch`).
    pub bank_name: String,
    pub bank_account: String,
    /// Branch details some payment channels need: branch name, province, city, and the
    /// branch's CNAPS code (联行号).
    pub bank_branch: Option<String>,
    pub bank_province: Option<String>,
    pub bank_city: Option<String>,
    pub cnaps_code: Option<String>,
    /// The amount in fen (1–99) Signet chose; a provider that chooses its own ignores it.
    pub amount_fen: u32,
}

impl std::fmt::Debug for DepositOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DepositOrder({})", self.reference)
    }
}

/// A provider's answer to an identity check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderVerdict {
    pub matched: bool,
    /// The provider's result description (e.g. `姓名和身份证号不一致`); never identity data.
    pub description: String,
    /// The provider's request id.
    pub reference: Option<String>,
}

/// Why a provider gave no verdict.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider does not offer this kind of check (or none is configured).
    #[error("{provider} does not offer {kind} checks")]
    Unsupported { provider: String, kind: &'static str },
    /// The provider refused the request itself (credentials, signature, parameters, quota).
    #[error("the verification provider refused the request: {0}")]
    Refused(String),
    /// The provider could not be reached or answered nonsense.
    #[error("the verification provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider needs an input the request lacks or has in a form it refuses (the caller's
    /// to fix, so a 400 naming the field).
    #[error("{field}: {reason}")]
    Input { field: &'static str, reason: String },
}

/// How a provider took a micro-deposit order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DepositReceipt {
    /// It paid the amount Signet chose; Signet compares the reported amount.
    Paid { reference: String },
    /// It chose the amount itself and checks the reported amount ([`VerificationProvider::confirm_deposit`])
    /// until its own deadline.
    PaidByProvider { reference: String, valid_for: time::Duration },
    /// It refused to pay because its comparison of the organisation failed (providers whose
    /// payment flow starts with an enterprise check).
    Mismatch(ProviderVerdict),
}

/// A provider's judgement of a reported micro-deposit amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepositAnswer {
    Right,
    Wrong,
    /// Too many wrong answers, or too late: the provider ended the payment flow.
    Exhausted,
}

/// An authoritative source of identity data and, optionally, a way to pay micro-deposits.
///
/// Implementations: Tencent Cloud FaceID (person checks) and e签宝 identity verification
/// (enterprise checks, micro-deposits it pays and checks itself) in `signet-notify`, routed by
/// kind there; the development outbox (deposits only); and [`NoVerificationProvider`] when
/// nothing is configured.
#[async_trait]
pub trait VerificationProvider: Send + Sync {
    /// A short name recorded with each check.
    fn name(&self) -> &str;
    /// Compares the data with the provider's source.
    async fn check(&self, check: &IdentityCheck) -> Result<ProviderVerdict, ProviderError>;
    /// Pays a micro-deposit of the amount Signet chose; returns the payment reference.
    async fn send_deposit(&self, order: &DepositOrder) -> Result<String, ProviderError>;

    /// The name recorded with a check of `kind` (a provider that routes kinds to several
    /// sources names the one that answers).
    fn name_for(&self, _kind: VerificationKind) -> &str {
        self.name()
    }

    /// Starts a micro-deposit. By default the provider pays Signet's amount ([`Self::send_deposit`]);
    /// a provider that picks and checks the amount itself overrides this.
    async fn start_deposit(&self, order: &DepositOrder) -> Result<DepositReceipt, ProviderError> {
        self.send_deposit(order).await.map(|reference| DepositReceipt::Paid { reference })
    }

    /// Checks a reported amount of a micro-deposit the provider checks itself
    /// ([`DepositReceipt::PaidByProvider`]), by its payment reference.
    async fn confirm_deposit(&self, _reference: &str, _amount_fen: u32) -> Result<DepositAnswer, ProviderError> {
        Err(ProviderError::Unsupported { provider: self.name().into(), kind: VerificationKind::MicroDeposit.as_str() })
    }

    /// Whether an organisation's name matches its USCC or registration number (企业二要素), for
    /// callers that know no legal representative (WoSignDoc's `orgName` / `orgNo`).
    async fn org_name_matches(&self, _org_name: &str, _number: &str) -> Result<ProviderVerdict, ProviderError> {
        Err(ProviderError::Unsupported { provider: self.name().into(), kind: "enterprise_two_element" })
    }
}

/// The provider of a deployment without one: every check is refused as unsupported.
#[derive(Debug, Default)]
pub struct NoVerificationProvider;

#[async_trait]
impl VerificationProvider for NoVerificationProvider {
    fn name(&self) -> &str {
        "none"
    }

    async fn check(&self, check: &IdentityCheck) -> Result<ProviderVerdict, ProviderError> {
        Err(ProviderError::Unsupported { provider: "none".into(), kind: check.kind().as_str() })
    }

    async fn send_deposit(&self, _order: &DepositOrder) -> Result<String, ProviderError> {
        Err(ProviderError::Unsupported { provider: "none".into(), kind: VerificationKind::MicroDeposit.as_str() })
    }
}

/// Face verification (人脸核验) for willingness: a provider hosts the liveness check and tells
/// the result. No deployment has one by default; pages then offer the other modes.
#[async_trait]
pub trait FaceVerifier: Send + Sync {
    /// Starts a face check of the named person; returns the URL the person opens.
    async fn start(&self, name: &str, id_number: &str, return_url: &str) -> Result<FaceSession, ProviderError>;
    /// Whether the session ended with a live face matching the person.
    async fn passed(&self, session_id: &str) -> Result<bool, ProviderError>;
}

/// A started face check.
#[derive(Debug, Clone)]
pub struct FaceSession {
    pub id: String,
    pub url: String,
}

/// Masks all but the last four characters (`****1234`).
pub fn mask_tail(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let keep = 4.min(chars.len());
    format!("****{}", chars[chars.len() - keep..].iter().collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(kind: VerificationKind, outcome: CheckOutcome) -> VerificationRecord {
        VerificationRecord {
            id: VerificationId::generate(),
            app_id: AppId::parse("app-1").unwrap(),
            account_id: AccountId::generate(),
            kind,
            outcome,
            provider: "test".into(),
            provider_ref: None,
            reason: None,
            masked_inputs: serde_json::json!({}),
            deposit_hash: None,
            attempts: 0,
            expires_at: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn status_and_level_follow_the_checks() {
        let none = AccountVerification::from_checks(vec![]);
        assert_eq!((none.status, none.level), (VerificationStatus::Unverified, VerificationLevel::None));
        let failed =
            AccountVerification::from_checks(vec![check(VerificationKind::PersonTwoElement, CheckOutcome::Mismatch)]);
        assert_eq!(failed.status, VerificationStatus::Failed);
        let pending =
            AccountVerification::from_checks(vec![check(VerificationKind::MicroDeposit, CheckOutcome::Pending)]);
        assert_eq!(pending.status, VerificationStatus::Pending);
        // A later mismatch does not undo a match; the strongest match sets the level.
        let mixed = AccountVerification::from_checks(vec![
            check(VerificationKind::BankCardFourElement, CheckOutcome::Mismatch),
            check(VerificationKind::CarrierThreeElement, CheckOutcome::Match),
            check(VerificationKind::PersonTwoElement, CheckOutcome::Match),
        ]);
        assert_eq!((mixed.status, mixed.level), (VerificationStatus::Verified, VerificationLevel::Standard));
    }

    #[test]
    fn identity_data_stays_out_of_debug_output() {
        let check =
            IdentityCheck::PersonTwoElement { name: "韦小宝".into(), id_number: "11204416541220243X".into() };
        let shown = format!("{check:?}");
        assert!(!shown.contains("243X") && !shown.contains("韦"), "{shown}");
        assert_eq!(mask_tail("6225768888881234"), "****1234");
    }
}
