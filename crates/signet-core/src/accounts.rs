//! Accounts: the persons and organisations that sign, each with its certificate.

use time::OffsetDateTime;

use crate::identity::IdType;
use crate::ids::AppId;

crate::ids::random_id!(
    /// The public identifier of an account: 24 lowercase letters and digits.
    ///
    /// The length fits every dialect's id rules (e签宝: persons 13–27, organisations 10–32).
    AccountId,
    "account"
);

/// Whether an account is a natural person or an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    Person,
    Org,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Org => "org",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "person" => Some(Self::Person),
            "org" => Some(Self::Org),
            _ => None,
        }
    }
}

/// An account as stored. The ID number is sealed under the master key and looked up through a
/// keyed pseudonym, so the database alone reveals no ID numbers.
#[derive(Debug, Clone)]
pub struct AccountRecord {
    pub id: AccountId,
    /// A numeric id assigned by the store, for dialects whose ids are numbers (云合同 `signerId`).
    pub seq: i64,
    pub app_id: AppId,
    pub kind: AccountKind,
    pub name: String,
    pub id_type: IdType,
    pub id_number_sealed: Vec<u8>,
    pub id_number_pseudonym: String,
    pub id_number_masked: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub third_id: Option<String>,
    pub agent_id: Option<AccountId>,
    /// The caller asserted a USCC that fails the GB 32100 check is genuine (early pilot codes).
    pub uscc_check_waived: bool,
    pub active: bool,
    pub certificate_serial: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// What a caller provides to create an account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub kind: AccountKind,
    pub name: String,
    pub id_type: IdType,
    pub id_number: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub third_id: Option<String>,
    pub agent_id: Option<String>,
    /// Accept a USCC whose check character is wrong (recorded in the audit trail).
    pub waive_uscc_check: bool,
}

/// Changes to an account; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AccountChanges {
    pub name: Option<String>,
    pub mobile: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub agent_id: Option<Option<String>>,
}

/// How to look an account up besides its id.
#[derive(Debug, Clone)]
pub enum AccountLookup {
    ThirdId(String),
    IdNumber { id_type: IdType, id_number: String },
}

/// Masks an ID number for display: keep the first 3 and last 4 characters (or fewer on short ones).
pub fn mask_id_number(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let (head, tail) = match chars.len() {
        0..=4 => (1.min(chars.len()), 0),
        5..=8 => (2, 2),
        _ => (3, 4),
    };
    chars.iter().enumerate().map(|(i, c)| if i < head || i >= chars.len() - tail { *c } else { '*' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_are_masked_for_display() {
        assert_eq!(mask_id_number("11010519491231002X"), "110***********002X");
        assert_eq!(mask_id_number("E1234567"), "E1****67");
        assert_eq!(mask_id_number("123"), "1**");
    }

    #[test]
    fn account_ids_have_a_fixed_shape() {
        let id = AccountId::generate();
        assert_eq!(id.as_str().len(), 24);
        assert_eq!(AccountId::parse(id.as_str()).unwrap(), id);
        assert!(AccountId::parse("../etc").is_err());
        assert!(AccountId::parse("ABCDEFGHIJKL").is_err());
    }
}
