//! Real-name verification of accounts: run checks, confirm micro-deposits, read the status.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use signet_core::verification::{AccountVerification, DepositRequest, VerificationKind, VerificationRecord};
use signet_core::{Error, VerificationRequest};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CallerApp, Json, Path};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_verification, get_verification)).routes(routes!(confirm_deposit))
}

/// A check to run. The name and ID number (or USCC) are the account's own.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateVerification {
    /// `person_two_element`, `carrier_three_element`, `bank_card_four_element`,
    /// `enterprise_three_element`, `enterprise_four_element` or `micro_deposit`.
    kind: String,
    /// Carrier and bank-card checks: the mobile number (the account's own when absent).
    mobile: Option<String>,
    /// Bank-card check: the card number.
    bank_card: Option<String>,
    /// Enterprise checks: the legal representative's name. Micro-deposits through e签宝 need it
    /// too (its payment flow opens with an enterprise three-element comparison).
    legal_rep_name: Option<String>,
    /// Enterprise four elements: the legal representative's resident ID number.
    legal_rep_id_number: Option<String>,
    /// Micro-deposit: the organisation's bank (head office, e.g. `招商银行`) and account number.
    bank_name: Option<String>,
    bank_account: Option<String>,
    /// Micro-deposit through e签宝: the branch's full name, its province and city, and its
    /// 12-digit CNAPS code (联行号).
    bank_branch: Option<String>,
    bank_province: Option<String>,
    bank_city: Option<String>,
    cnaps_code: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConfirmDeposit {
    /// The amount received, in yuan with two decimals (`"0.37"`).
    amount: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct CheckView {
    id: String,
    kind: &'static str,
    /// `match`, `mismatch`, `pending` (micro-deposit sent) or `expired`.
    outcome: &'static str,
    provider: String,
    provider_ref: Option<String>,
    /// The provider's explanation of a mismatch.
    reason: Option<String>,
    /// Masked extra inputs (mobile, card, bank account).
    #[schema(value_type = Object)]
    inputs: serde_json::Value,
    attempts: i32,
    #[serde(with = "time::serde::rfc3339::option")]
    expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
}

impl From<VerificationRecord> for CheckView {
    fn from(c: VerificationRecord) -> Self {
        Self {
            id: c.id.to_string(),
            kind: c.kind.as_str(),
            outcome: c.outcome.as_str(),
            provider: c.provider,
            provider_ref: c.provider_ref,
            reason: c.reason,
            inputs: c.masked_inputs,
            attempts: c.attempts,
            expires_at: c.expires_at,
            created_at: c.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct VerificationView {
    /// `unverified`, `pending`, `verified` or `failed`.
    status: &'static str,
    /// `none`, `basic`, `standard` or `strong` (the strongest passed check).
    level: &'static str,
    /// Newest first.
    checks: Vec<CheckView>,
}

impl From<AccountVerification> for VerificationView {
    fn from(v: AccountVerification) -> Self {
        Self {
            status: v.status.as_str(),
            level: v.level.as_str(),
            checks: v.checks.into_iter().map(CheckView::from).collect(),
        }
    }
}

/// Runs a real-name check of the account through the deployment's verification provider.
/// A mismatch is a result (201 with `outcome: mismatch`), not an error.
#[utoipa::path(
    post, path = "/v1/accounts/{id}/verifications", tag = "verification", operation_id = "create_verification",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "account id")),
    request_body = CreateVerification,
    responses(
        (status = 201, body = CheckView),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the provider does not offer this check"),
        (status = 503, body = ErrorBody, description = "the provider gave no verdict")
    )
)]
async fn create_verification(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(account): Path<String>,
    Json(body): Json<CreateVerification>,
) -> Result<(StatusCode, axum::Json<CheckView>), ApiError> {
    let request = request_of(body)?;
    let record = state.signet.verify_account(&app.id, &account, request).await?;
    Ok((StatusCode::CREATED, axum::Json(record.into())))
}

/// The account's verification status, level and checks.
#[utoipa::path(
    get, path = "/v1/accounts/{id}/verifications", tag = "verification", operation_id = "get_verification",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "account id")),
    responses((status = 200, body = VerificationView), (status = 404, body = ErrorBody))
)]
async fn get_verification(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(account): Path<String>,
) -> Result<axum::Json<VerificationView>, ApiError> {
    Ok(axum::Json(state.signet.account_verification(&app.id, &account).await?.into()))
}

/// Reports a micro-deposit's amount. Three wrong amounts, or an answer after the deadline
/// (`expiresAt`: 72 hours, or the provider's own window — 7 days for e签宝), end the check as
/// `expired`. A provider that paid the deposit itself (e签宝) judges the amount.
#[utoipa::path(
    post, path = "/v1/accounts/{id}/verifications/{verification}/confirm", tag = "verification",
    operation_id = "confirm_deposit",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "account id"), ("verification" = String, Path)),
    request_body = ConfirmDeposit,
    responses((status = 200, body = CheckView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
async fn confirm_deposit(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path((account, verification)): Path<(String, String)>,
    Json(body): Json<ConfirmDeposit>,
) -> Result<axum::Json<CheckView>, ApiError> {
    let fen = parse_yuan(&body.amount).ok_or_else(|| Error::invalid("amount", "expected yuan like 0.37"))?;
    let record = state.signet.confirm_deposit(&app.id, &account, &verification, fen).await?;
    Ok(axum::Json(record.into()))
}

fn request_of(body: CreateVerification) -> Result<VerificationRequest, Error> {
    let kind = VerificationKind::parse(&body.kind).ok_or_else(|| {
        let names: Vec<&str> = VerificationKind::ALL.iter().map(|k| k.as_str()).collect();
        Error::invalid("kind", format!("expected one of {}", names.join(", ")))
    })?;
    let need = |value: Option<String>, field: &'static str| value.ok_or_else(|| Error::invalid(field, "is required"));
    Ok(match kind {
        VerificationKind::PersonTwoElement => VerificationRequest::PersonTwoElement,
        VerificationKind::CarrierThreeElement => VerificationRequest::CarrierThreeElement { mobile: body.mobile },
        VerificationKind::BankCardFourElement => VerificationRequest::BankCardFourElement {
            bank_card: need(body.bank_card, "bankCard")?,
            mobile: body.mobile,
        },
        VerificationKind::EnterpriseThreeElement => {
            VerificationRequest::EnterpriseThreeElement { legal_rep_name: need(body.legal_rep_name, "legalRepName")? }
        }
        VerificationKind::EnterpriseFourElement => VerificationRequest::EnterpriseFourElement {
            legal_rep_name: need(body.legal_rep_name, "legalRepName")?,
            legal_rep_id_number: need(body.legal_rep_id_number, "legalRepIdNumber")?,
        },
        VerificationKind::MicroDeposit => VerificationRequest::MicroDeposit(DepositRequest {
            bank_name: need(body.bank_name, "bankName")?,
            bank_account: need(body.bank_account, "bankAccount")?,
            legal_rep_name: body.legal_rep_name,
            bank_branch: body.bank_branch,
            bank_province: body.bank_province,
            bank_city: body.bank_city,
            cnaps_code: body.cnaps_code,
        }),
    })
}

/// `"0.37"` → 37 fen: digits with at most two decimals, below 100 yuan.
fn parse_yuan(raw: &str) -> Option<u32> {
    let raw = raw.trim();
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    if whole.is_empty() || whole.len() > 2 || fraction.len() > 2 {
        return None;
    }
    if !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u32 = whole.parse().ok()?;
    let fraction: u32 = format!("{fraction:0<2}").parse().ok()?;
    Some(whole * 100 + fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_yuan() {
        assert_eq!(parse_yuan("0.37"), Some(37));
        assert_eq!(parse_yuan("0.3"), Some(30));
        assert_eq!(parse_yuan("1"), Some(100));
        assert_eq!(parse_yuan("0.375"), None);
        assert_eq!(parse_yuan("-0.3"), None);
        assert_eq!(parse_yuan(".3"), None);
    }
}
