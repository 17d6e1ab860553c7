//! Templates: a PDF with AcroForm text fields, kept per app, from which documents are made
//! by filling the fields and appending pages.

use time::OffsetDateTime;

use crate::files::FileId;
use crate::ids::AppId;
use crate::ports::BlobKey;

crate::ids::random_id!(
    /// The public identifier of a template.
    TemplateId,
    "tpl"
);

/// Horizontal alignment of a template field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldAlign {
    Left,
    Center,
    Right,
}

impl FieldAlign {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Left => "left",
            Self::Center => "center",
            Self::Right => "right",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s {
            "center" => Self::Center,
            "right" => Self::Right,
            _ => Self::Left,
        }
    }
}

/// A fillable text field of a template.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateField {
    /// Fully qualified field name: the key of a fill.
    pub name: String,
    /// 1-based page.
    pub page: i64,
    /// Rectangle in PDF points `[x1, y1, x2, y2]`.
    pub rect: [f64; 4],
    /// 0 = automatic.
    pub font_size: f64,
    pub align: FieldAlign,
    pub multiline: bool,
    pub max_len: Option<i64>,
    pub comb: bool,
}

/// A template as stored: the PDF (by its file) and the fields read from it once.
#[derive(Debug, Clone)]
pub struct TemplateRecord {
    pub id: TemplateId,
    pub app_id: AppId,
    pub name: String,
    /// The uploaded file it was made from.
    pub file_id: FileId,
    pub blob_key: BlobKey,
    pub fields: Vec<TemplateField>,
    pub created_at: OffsetDateTime,
}

/// What to append after a template's pages.
#[derive(Debug, Clone)]
pub enum AppendPart {
    /// Simple HTML (headings, paragraphs, tables) laid out with the bundled font.
    Html(String),
    /// The pages of an uploaded PDF file of the same app.
    PdfFile(String),
    /// The pages of a PDF given inline (e.g. a dialect's base64 chunk).
    PdfBytes(bytes::Bytes),
}

/// A document to make from a template.
#[derive(Debug, Clone, Default)]
pub struct DocumentFill {
    /// The new file's name (defaults to the template's).
    pub name: Option<String>,
    /// Field name → text.
    pub fields: std::collections::BTreeMap<String, String>,
    pub append: Vec<AppendPart>,
    /// Draw the values into the pages and remove the form (the default for documents to sign).
    pub flatten: bool,
    /// Upper bound on appended pages; `None` = [`MAX_APPENDED_PAGES`].
    pub max_appended_pages: Option<usize>,
}

/// The most pages one fill may append.
pub const MAX_APPENDED_PAGES: usize = 100;
/// The most appended parts one fill may name.
pub const MAX_APPEND_PARTS: usize = 20;
/// The most fields one fill may name (a template has far fewer).
pub const MAX_FILL_FIELDS: usize = 1000;
/// The longest value of one field, in characters.
pub const MAX_VALUE_CHARS: usize = 10_000;
/// The longest HTML part, in bytes.
pub const MAX_HTML_BYTES: usize = 1 << 20;
