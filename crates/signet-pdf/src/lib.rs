//! Signet's PDF engine: read real-world PDFs, locate text, append one signing revision
//! (visible seals at coordinates, keywords, rectangles or across pages), and inspect the
//! signatures a file already carries.
//!
//! The engine never builds CMS itself: a [`ContainerSigner`] (the PKI crate's CMS builder,
//! a TSA client for document timestamps) receives the signed byte ranges as one stream and
//! returns the DER container to embed.
//!
//! Reading is done with `hayro-syntax` (lazy objects, xref repair, decryption) plus our own
//! tail reader for the trailer; writing is an incremental update of our own that keeps the
//! input's cross-reference style and never changes a byte of the original.
//!
//! Hybrid-reference files (a table whose trailer has `/XRefStm`) are signed incrementally
//! with a classic table revision (the older sections stay as they are); [`XrefKind::Hybrid`]
//! in [`Inspection`] lets callers warn, since strict validators (pyHanko) refuse hybrids.

mod api;
mod appearance;
mod crypt;
mod document;
mod error;
mod fields;
mod geometry;
mod image;
mod inspect;
mod inspect_diff;
mod locate;
mod obj;
mod placement;
mod sign;
mod sparse;
mod tail;
mod writer;

pub use api::{
    Appearance, CROSS_PAGE_GROUP_MAX, ContainerSigner, Dss, Placement, SignOutcome, SignRequest, SubFilter, TextHit,
    WidgetBox,
};
pub use error::PdfError;
pub use inspect::{Coverage, EmbeddedSignature, Inspection, LaterChange, inspect};
pub use sign::{DEFAULT_SEAL_WIDTH_PT, add_dss, sign, timestamp_document};
pub use tail::XrefKind;

use std::io::{Read, Seek, SeekFrom};


/// Every occurrence of `keyword` (whitespace ignored), with its box in visible-page points.
pub fn locate(
    mut input: impl Read + Seek,
    keyword: &str,
    user_password: Option<&str>,
) -> Result<Vec<TextHit>, PdfError> {
    input.seek(SeekFrom::Start(0))?;
    let doc = document::Document::read(&mut input, user_password.unwrap_or(""))?;
    locate::find_keyword(&doc, keyword)
}
