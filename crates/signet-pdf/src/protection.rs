//! A document's edit (owner) password: what a platform gives to sign a contract whose author
//! protected it against changes (e签宝's `docPwd`, "文档编辑密码").

use std::io::{Read, Seek};

use crate::document::Document;
use crate::error::{PdfError, Result};

/// What a password is to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditPassword {
    /// The document is not encrypted: it has no edit password.
    NotProtected,
    /// The password is the document's owner password.
    Matches,
    /// The document is encrypted and the password is not its owner password (a user password
    /// opens the document but does not allow editing it).
    Wrong,
}

impl EditPassword {
    /// Whether the document has an edit password at all.
    pub fn protected(self) -> bool {
        self != Self::NotProtected
    }
}

/// Checks `password` against the document's owner password. Only the structure is read.
pub fn check_edit_password(mut input: impl Read + Seek, password: &str) -> Result<EditPassword> {
    let document = match Document::read_structure(&mut input, "") {
        Ok(document) => document,
        // A user password guards opening too: the owner password also opens the file.
        Err(PdfError::WrongPassword) => {
            input.rewind()?;
            match Document::read_structure(&mut input, password) {
                Ok(document) => document,
                Err(PdfError::WrongPassword) => return Ok(EditPassword::Wrong),
                Err(err) => return Err(err),
            }
        }
        Err(err) => return Err(err),
    };
    Ok(match document.is_edit_password(password)? {
        None => EditPassword::NotProtected,
        Some(true) => EditPassword::Matches,
        Some(false) => EditPassword::Wrong,
    })
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    fn check(name: &str, password: &str) -> EditPassword {
        check_edit_password(Cursor::new(fixture(name)), password).unwrap()
    }

    #[test]
    fn owner_passwords_are_told_from_user_passwords_and_guesses() {
        for name in ["aes256-owner.pdf", "aes128-owner.pdf", "rc4-owner.pdf", "aes256-objstm.pdf", "aes256-user.pdf"] {
            assert_eq!(check(name, "owner-pw"), EditPassword::Matches, "{name}");
            assert_eq!(check(name, ""), EditPassword::Wrong, "{name}: no password");
            assert_eq!(check(name, "owner-pw "), EditPassword::Wrong, "{name}: a near miss");
        }
        assert_eq!(check("aes256-user.pdf", "user-pw"), EditPassword::Wrong, "the open password is not the edit one");
        assert_eq!(check("contract.pdf", "anything"), EditPassword::NotProtected);
    }

    #[test]
    fn garbage_is_an_error_not_a_verdict() {
        assert!(check_edit_password(Cursor::new(b"not a pdf".to_vec()), "x").is_err());
    }
}
