//! An opened document: hayro-syntax for objects, our tail for the trailer, the file key if encrypted.

use crate::crypt::FileCrypt;
use crate::error::{PdfError, Result};
use crate::geometry::PageFrame;
use crate::obj::{Dict, Obj, Parser};
use crate::tail::{Tail, find, read_tail};
use hayro_syntax::object::{MaybeRef, Object, ObjectIdentifier};
use hayro_syntax::{LoadPdfError, Pdf};
use std::io::{Read, Seek};
use std::sync::Arc;

/// An opened PDF.
pub(crate) struct Document {
    pub(crate) pdf: Pdf,
    pub(crate) tail: Tail,
    pub(crate) crypt: Option<FileCrypt>,
    pub(crate) password: String,
    data: Arc<Vec<u8>>,
    /// The real file's length (the loaded buffer may be a compact copy of its structure).
    original_len: u64,
    /// Whether the real file ends with an end-of-line byte.
    ends_with_eol: bool,
}

/// One page as the writer and the placement code need it.
#[derive(Debug, Clone)]
pub(crate) struct PageRef {
    /// The page object's id.
    pub(crate) id: (u32, u16),
    /// How the page is shown (boxes and rotation, inherited values resolved).
    pub(crate) frame: PageFrame,
}

impl Document {
    /// Loads the input (large image data left out, see [`crate::sparse`]) and opens it;
    /// `password` is the user password ("" for none). The input is rewound afterwards.
    pub(crate) fn read(input: &mut (impl Read + Seek + ?Sized), password: &str) -> Result<Self> {
        let data = crate::sparse::load(input)?;
        Self::open(data, password)
    }

    /// Loads only what signing needs (catalog, page tree, forms: see [`crate::compact`]),
    /// or the whole structure as [`Document::read`] does when the file needs repairing.
    /// Page contents are left out, so the result cannot locate text.
    pub(crate) fn read_structure(input: &mut (impl Read + Seek + ?Sized), password: &str) -> Result<Self> {
        if let Some(c) = crate::compact::load(input)? {
            match Self::open_with(c.data, c.tail, c.original_len, c.ends_with_eol, password) {
                Ok(doc) => return Ok(doc),
                Err(e @ PdfError::WrongPassword) => return Err(e),
                Err(_) => {}
            }
        }
        Self::read(input, password)
    }

    pub(crate) fn open(data: Vec<u8>, password: &str) -> Result<Self> {
        let tail = read_tail(&data)?;
        let len = data.len() as u64;
        let eol = matches!(data.last(), Some(b'\n' | b'\r'));
        Self::open_with(data, tail, len, eol, password)
    }

    fn open_with(data: Vec<u8>, tail: Tail, original_len: u64, ends_with_eol: bool, password: &str) -> Result<Self> {
        let data = Arc::new(data);
        let pdf = Pdf::new_with_password(data.clone(), password).map_err(|e| match e {
            LoadPdfError::Decryption(hayro_syntax::DecryptionError::PasswordProtected) => PdfError::WrongPassword,
            LoadPdfError::Decryption(other) => PdfError::UnsupportedEncryption(format!("{other:?}")),
            LoadPdfError::Invalid => PdfError::Malformed("the document structure cannot be read".into()),
        })?;
        let crypt = match encryption(&data, &tail)? {
            None => None,
            Some((dict, id0)) => Some(FileCrypt::new(&dict, &id0, password.as_bytes())?),
        };
        if pdf.pages().is_empty() {
            return Err(PdfError::Malformed("the document has no pages".into()));
        }
        Ok(Self { pdf, tail, crypt, password: password.to_string(), data, original_len, ends_with_eol })
    }

    /// Whether `password` is the file's owner (edit) password; `None` for a file that is not
    /// encrypted.
    pub(crate) fn is_edit_password(&self, password: &str) -> Result<Option<bool>> {
        match encryption(&self.data, &self.tail)? {
            None => Ok(None),
            Some((dict, id0)) => FileCrypt::is_owner_password(&dict, &id0, password.as_bytes()).map(Some),
        }
    }

    /// The loaded bytes: the file's structure, with large image data zeroed, or a compact
    /// copy of the structure ([`Document::read_structure`]). Never hash or copy these as the
    /// document; read the input again for that.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.data
    }

    /// Length of the real file.
    pub(crate) fn original_len(&self) -> u64 {
        self.original_len
    }

    /// Whether the real file ends with an end-of-line byte.
    pub(crate) fn ends_with_eol(&self) -> bool {
        self.ends_with_eol
    }

    pub(crate) fn page_count(&self) -> usize {
        self.pdf.pages().len()
    }

    /// The 1-based page `n`.
    pub(crate) fn page(&self, n: usize) -> Result<PageRef> {
        let count = self.page_count();
        let page = n
            .checked_sub(1)
            .and_then(|i| self.pdf.pages().get(i))
            .ok_or(PdfError::PageOutOfRange { page: n, count })?;
        let id = page
            .raw()
            .obj_id()
            .and_then(|id| Some((id.obj_number, u16::try_from(id.gen_number).ok()?)))
            .ok_or_else(|| PdfError::Malformed(format!("page {n} is not an indirect object")))?;
        let m = page.media_box();
        let c = page.crop_box();
        let rotate = match page.rotation() {
            hayro_syntax::page::Rotation::None => 0,
            hayro_syntax::page::Rotation::Horizontal => 90,
            hayro_syntax::page::Rotation::Flipped => 180,
            hayro_syntax::page::Rotation::FlippedHorizontal => 270,
        };
        Ok(PageRef { id, frame: PageFrame::new([m.x0, m.y0, m.x1, m.y1], [c.x0, c.y0, c.x1, c.y1], rotate) })
    }

    /// An indirect object converted to our model (references stay references).
    pub(crate) fn object(&self, id: (u32, u16)) -> Option<Obj> {
        let o: Object<'_> = self.pdf.xref().get(ObjectIdentifier::new(id.0, i32::from(id.1)))?;
        Some(convert(&o))
    }

    pub(crate) fn dict(&self, id: (u32, u16)) -> Option<Dict> {
        match self.object(id)? {
            Obj::Dict(d) => Some(d),
            _ => None,
        }
    }

    pub(crate) fn catalog(&self) -> Result<Dict> {
        self.dict(self.tail.root).ok_or_else(|| PdfError::Malformed("the /Root catalog is missing".into()))
    }

    /// Follows a reference once (for entries that may be direct or indirect).
    pub(crate) fn resolve(&self, o: &Obj) -> Option<Obj> {
        match o {
            Obj::Ref(n, g) => self.object((*n, *g)),
            other => Some(other.clone()),
        }
    }
}

/// Converts a hayro object to ours, one level of indirection kept as references.
pub(crate) fn convert(o: &Object<'_>) -> Obj {
    match o {
        Object::Null(_) => Obj::Null,
        Object::Boolean(b) => Obj::Bool(*b),
        Object::Number(n) => {
            let f = n.as_f64();
            if f.fract() == 0.0 && f.abs() < 9.0e15 { Obj::Int(f as i64) } else { Obj::Real(f) }
        }
        Object::String(s) => Obj::Str(s.as_bytes().to_vec()),
        Object::Name(n) => Obj::Name(n.as_ref().to_vec()),
        Object::Dict(d) => Obj::Dict(convert_dict(d)),
        Object::Array(a) => Obj::Array(a.raw_iter().map(|m| convert_maybe(&m)).collect()),
        // Streams are always indirect; a stream met directly is written as its dictionary.
        Object::Stream(s) => Obj::Dict(convert_dict(s.dict())),
    }
}

pub(crate) fn convert_dict(d: &hayro_syntax::object::Dict<'_>) -> Dict {
    Dict(d.entries().map(|(k, v)| (k.as_ref().to_vec(), convert_maybe(&v))).collect())
}

fn convert_maybe(m: &MaybeRef<Object<'_>>) -> Obj {
    match m {
        MaybeRef::Ref(r) => match u16::try_from(r.gen_number) {
            Ok(g) => Obj::Ref(r.obj_number, g),
            Err(_) => Obj::Null,
        },
        MaybeRef::NotRef(o) => convert(o),
    }
}

/// Finds `n g obj` in the raw bytes (last definition wins) and parses its dictionary unchanged.
/// Used for the `/Encrypt` dictionary, whose strings are never encrypted and must not be
/// passed through a decrypting reader.
fn raw_object_dict(data: &[u8], n: u32, g: u16) -> Option<Dict> {
    let header = format!("{n} {g} obj");
    let mut from = 0;
    let mut last = None;
    while let Some(p) = find(data, header.as_bytes(), from) {
        if p == 0 || crate::obj::is_whitespace(data[p - 1]) {
            last = Some(p);
        }
        from = p + 1;
    }
    let p = last?;
    Parser::new(data, p + header.len()).dict()
}

/// The `/Encrypt` dictionary and the first file identifier, for an encrypted file.
fn encryption(data: &[u8], tail: &Tail) -> Result<Option<(Dict, Vec<u8>)>> {
    let Some(enc) = &tail.encrypt else { return Ok(None) };
    let dict = match enc {
        Obj::Dict(d) => d.clone(),
        Obj::Ref(n, g) => raw_object_dict(data, *n, *g)
            .ok_or_else(|| PdfError::Malformed("the /Encrypt dictionary cannot be found".into()))?,
        _ => return Err(PdfError::Malformed("bad /Encrypt entry".into())),
    };
    let id0 = tail.id.as_ref().map(|i| i[0].clone()).unwrap_or_default();
    Ok(Some((dict, id0)))
}
