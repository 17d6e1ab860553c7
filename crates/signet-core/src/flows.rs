//! Sign flows: documents, ordered signers with their fields, and the state machine between them.

use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::accounts::AccountId;
use crate::files::FileId;
use crate::ids::AppId;
use crate::ports::BlobKey;
use crate::seals::SealId;
use crate::{Error, Result};

crate::ids::random_id!(
    /// The public identifier of a flow.
    FlowId,
    "flow"
);

/// Where a flow is in its life.
///
/// ```text
/// draft --start--> signing --last signer--> completed --archive--> (archived flag)
///   |                 |--revoke--> revoked
///   |                 |--reject--> rejected
///   `-----------------`--expiry--> expired
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowStatus {
    Draft,
    Signing,
    Completed,
    Revoked,
    Expired,
    Rejected,
}

impl FlowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Signing => "signing",
            Self::Completed => "completed",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Draft, Self::Signing, Self::Completed, Self::Revoked, Self::Expired, Self::Rejected]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }

    /// Whether the flow can still change.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Draft | Self::Signing)
    }
}

/// Where one signer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignerStatus {
    Waiting,
    Signed,
    Rejected,
    /// The task was withdrawn before it was done (e签宝 `undoTask`).
    Withdrawn,
}

impl SignerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Signed => "signed",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Waiting, Self::Signed, Self::Rejected, Self::Withdrawn].into_iter().find(|s| s.as_str() == raw)
    }
}

/// How a signer proves willingness (意愿认证) before signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignerAuth {
    None,
    Sms,
    Email,
}

impl SignerAuth {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Sms => "sms",
            Self::Email => "email",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::None, Self::Sms, Self::Email].into_iter().find(|s| s.as_str() == raw)
    }
}

/// Where a signer's seal goes on one document.
#[derive(Debug, Clone, PartialEq)]
pub enum Position {
    /// Centre at (x, y) in points of the visible page, origin bottom-left, on each listed page.
    At { pages: Vec<usize>, x: f64, y: f64 },
    /// Centre on every occurrence of the text, shifted by the offset.
    Keyword { text: String, dx: f64, dy: f64 },
    /// Inside a rectangle given as fractions of the visible page, origin top-left.
    Rect { page: usize, x1: f64, y1: f64, x2: f64, y2: f64 },
    /// 骑缝章: slices across the right edges of all pages, at a height given as a fraction.
    CrossPage { y: f64 },
}

/// One field of a signer: a position on a document and how the seal is drawn there.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Index of the document in the flow (0 for the first).
    pub document: usize,
    pub position: Position,
    /// Width of the seal in points; default: its physical size.
    pub width: Option<f64>,
    pub show_time: bool,
    pub show_digest: bool,
}

impl Field {
    /// Checks the numbers a caller sent.
    pub fn validate(&self, documents: usize) -> Result<()> {
        if self.document >= documents {
            return Err(Error::invalid("fields.document", format!("the flow has {documents} document(s)")));
        }
        let finite = |v: f64| v.is_finite();
        match &self.position {
            Position::At { pages, x, y } => {
                if pages.is_empty() || pages.contains(&0) || !finite(*x) || !finite(*y) {
                    return Err(Error::invalid("fields.page", "pages count from 1; x and y are numbers"));
                }
            }
            Position::Keyword { text, dx, dy } => {
                if text.trim().is_empty() || text.chars().count() > 100 || !finite(*dx) || !finite(*dy) {
                    return Err(Error::invalid("fields.keyword", "expected 1 to 100 characters"));
                }
            }
            Position::Rect { page, x1, y1, x2, y2 } => {
                let unit = |v: f64| (0.0..=1.0).contains(&v);
                if *page == 0 || !(unit(*x1) && unit(*y1) && unit(*x2) && unit(*y2)) || x1 >= x2 || y1 >= y2 {
                    return Err(Error::invalid(
                        "fields.rect",
                        "expected page ≥ 1 and 0 ≤ x1 < x2 ≤ 1, 0 ≤ y1 < y2 ≤ 1",
                    ));
                }
            }
            Position::CrossPage { y } => {
                if !(0.0..=1.0).contains(y) {
                    return Err(Error::invalid("fields.crossPage", "y is a fraction of the page height"));
                }
            }
        }
        if self.width.is_some_and(|w| !(10.0..=600.0).contains(&w)) {
            return Err(Error::invalid("fields.width", "expected 10 to 600 points"));
        }
        Ok(())
    }

    /// The stored form.
    pub fn to_json(&self) -> Value {
        let position = match &self.position {
            Position::At { pages, x, y } => json!({"at": {"pages": pages, "x": x, "y": y}}),
            Position::Keyword { text, dx, dy } => json!({"keyword": {"text": text, "dx": dx, "dy": dy}}),
            Position::Rect { page, x1, y1, x2, y2 } => json!({"rect": [page, x1, y1, x2, y2]}),
            Position::CrossPage { y } => json!({"crossPage": {"y": y}}),
        };
        json!({"document": self.document, "position": position, "width": self.width,
               "showTime": self.show_time, "showDigest": self.show_digest})
    }

    /// Reads the stored form back.
    pub fn from_json(value: &Value) -> Option<Self> {
        let p = &value["position"];
        let f = |v: &Value| v.as_f64();
        let position = if let Some(at) = p.get("at") {
            let pages =
                at["pages"].as_array()?.iter().map(|v| v.as_u64().map(|n| n as usize)).collect::<Option<_>>()?;
            Position::At { pages, x: f(&at["x"])?, y: f(&at["y"])? }
        } else if let Some(k) = p.get("keyword") {
            Position::Keyword { text: k["text"].as_str()?.to_owned(), dx: f(&k["dx"])?, dy: f(&k["dy"])? }
        } else if let Some(r) = p.get("rect").and_then(Value::as_array) {
            let page = r.first()?.as_u64()? as usize;
            Position::Rect { page, x1: f(r.get(1)?)?, y1: f(r.get(2)?)?, x2: f(r.get(3)?)?, y2: f(r.get(4)?)? }
        } else {
            Position::CrossPage { y: f(&p.get("crossPage")?["y"])? }
        };
        Some(Self {
            document: value["document"].as_u64()? as usize,
            position,
            width: value["width"].as_f64(),
            show_time: value["showTime"].as_bool().unwrap_or(false),
            show_digest: value["showDigest"].as_bool().unwrap_or(false),
        })
    }
}

/// A flow as stored.
#[derive(Debug, Clone)]
pub struct FlowRecord {
    pub id: FlowId,
    pub app_id: AppId,
    pub title: String,
    pub status: FlowStatus,
    pub callback_url: Option<String>,
    pub expires_at: Option<OffsetDateTime>,
    pub archived: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub documents: Vec<FlowDocument>,
    pub signers: Vec<FlowSigner>,
}

/// A document of a flow: the uploaded file, and its latest signed revision.
#[derive(Debug, Clone)]
pub struct FlowDocument {
    pub position: usize,
    pub file_id: FileId,
    pub name: String,
    pub current_key: BlobKey,
    /// Number of signatures applied so far.
    pub revision: i64,
}

/// A signer of a flow.
#[derive(Debug, Clone)]
pub struct FlowSigner {
    pub account_id: AccountId,
    /// Signers with the same order sign in parallel; a higher order waits for all lower ones.
    pub order: i64,
    pub seal_id: Option<SealId>,
    pub fields: Vec<Field>,
    pub auth: SignerAuth,
    pub status: SignerStatus,
    pub signed_at: Option<OffsetDateTime>,
    pub reject_reason: Option<String>,
}

impl FlowRecord {
    /// Whether `account` may sign now: the flow is signing, the signer is waiting, and every
    /// signer of a lower order has signed.
    pub fn turn_of(&self, account: &AccountId) -> Result<&FlowSigner> {
        let signer = self.signers.iter().find(|s| &s.account_id == account).ok_or(Error::NotFound("signer"))?;
        match self.status {
            FlowStatus::Signing => {}
            FlowStatus::Draft => return Err(Error::Conflict("the flow has not been started".into())),
            other => return Err(Error::Conflict(format!("the flow is {}", other.as_str()))),
        }
        if signer.status != SignerStatus::Waiting {
            return Err(Error::Conflict(format!("this signer has already {}", signer.status.as_str())));
        }
        if self.signers.iter().any(|s| s.order < signer.order && s.status != SignerStatus::Signed) {
            return Err(Error::Conflict("not this signer's turn: earlier signers have not signed yet".into()));
        }
        Ok(signer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_through_their_stored_form() {
        for position in [
            Position::At { pages: vec![1, 3], x: 100.0, y: 200.5 },
            Position::Keyword { text: "甲方盖章处".into(), dx: 0.0, dy: -10.0 },
            Position::Rect { page: 2, x1: 0.1, y1: 0.2, x2: 0.4, y2: 0.5 },
            Position::CrossPage { y: 0.5 },
        ] {
            let field = Field { document: 1, position, width: Some(90.0), show_time: true, show_digest: false };
            assert_eq!(Field::from_json(&field.to_json()), Some(field));
        }
    }

    #[test]
    fn field_numbers_are_checked() {
        let field = |position| Field { document: 0, position, width: None, show_time: false, show_digest: false };
        assert!(field(Position::At { pages: vec![0], x: 1.0, y: 1.0 }).validate(1).is_err());
        assert!(field(Position::Rect { page: 1, x1: 0.5, y1: 0.1, x2: 0.4, y2: 0.2 }).validate(1).is_err());
        assert!(field(Position::CrossPage { y: 1.5 }).validate(1).is_err());
        assert!(field(Position::At { pages: vec![1], x: f64::NAN, y: 1.0 }).validate(1).is_err());
        assert!(field(Position::At { pages: vec![1], x: 1.0, y: 1.0 }).validate(0).is_err());
        assert!(field(Position::Keyword { text: "甲方".into(), dx: 0.0, dy: 0.0 }).validate(1).is_ok());
    }
}
