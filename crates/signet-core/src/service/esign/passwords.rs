//! `encryption` and `docPwd`: a flow created with `encryption: true` holds contracts their
//! author protected with an edit (owner) password, and every signature must be given it — the
//! platform's and users' tasks as `docPwd`, a hand-task signer on the signing page.

use std::io::Cursor;

use signet_pdf::EditPassword;

use super::super::Signet;
use crate::flows::{FlowDocument, FlowRecord};
use crate::{Error, Result};

impl Signet {
    /// Refuses an `encryption` flow whose documents have no edit password: nobody could give
    /// the password its signatures need.
    pub(super) async fn esign_require_protected(&self, documents: &[FlowDocument]) -> Result<()> {
        for document in documents {
            if !self.edit_password(document, "").await?.protected() {
                return Err(Error::invalid(
                    "encryption",
                    format!("document {} has no edit password to ask signers for", document.file_id),
                ));
            }
        }
        Ok(())
    }

    /// Whether `password` is the edit password of each of the flow's documents that `indices`
    /// names.
    pub(in crate::service) async fn esign_password_opens(
        &self,
        flow: &FlowRecord,
        indices: impl IntoIterator<Item = usize>,
        password: &str,
    ) -> Result<bool> {
        for index in indices {
            let document = flow.documents.get(index).ok_or(Error::NotFound("document"))?;
            if self.edit_password(document, password).await? == EditPassword::Wrong {
                return Ok(false);
            }
        }
        Ok(true)
    }

    async fn edit_password(&self, document: &FlowDocument, password: &str) -> Result<EditPassword> {
        let pdf = self.blobs.get(&document.current_key).await?;
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || signet_pdf::check_edit_password(Cursor::new(pdf), &password))
            .await
            .map_err(|e| Error::Internal(format!("password check panicked: {e}")))?
            .map_err(|e| Error::invalid("docId", format!("the document cannot be read: {e}")))
    }
}
