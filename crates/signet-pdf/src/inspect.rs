//! Inspection for `signet verify`: the embedded signatures, what each one covers, and what
//! later revisions changed. Cryptographic checks are the PKI crate's job; this module makes
//! sure it is handed the right bytes (USF/ISA/SWA checks, pdf-insecurity.org).

use crate::document::Document;
use crate::error::Result;
use crate::fields::decode_text;
use crate::obj::{Dict, Obj};
use crate::tail::{XrefKind, find};
use std::io::{Read, Seek, SeekFrom};

/// How much of the file a signature covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// The byte range runs to the end of the file.
    EntireFile,
    /// The byte range ends exactly at the end of an earlier revision (later revisions follow).
    EntireRevision,
    /// The byte range ends anywhere else: the signature does not bind a revision.
    Suspicious,
}

/// A change made by a revision after a signature.
#[derive(Debug, Clone, PartialEq)]
pub struct LaterChange {
    /// 1-based revision that made the change.
    pub revision: usize,
    /// The object changed or added, if the change is about one object.
    pub object: Option<(u32, u16)>,
    /// What changed, in words.
    pub description: String,
    /// True for the changes that keep a signature valid: further signatures and their
    /// fields and widgets, DSS, document timestamps, filling existing form fields.
    pub allowed: bool,
}

/// One signature found in the document.
#[derive(Debug, Clone)]
pub struct EmbeddedSignature {
    /// Fully qualified field name.
    pub field_name: String,
    /// `/Type` of the signature dictionary (`Sig` or `DocTimeStamp`).
    pub sig_type: Option<String>,
    /// `/SubFilter`.
    pub sub_filter: Option<String>,
    /// `/M` as written.
    pub signing_time: Option<String>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/ByteRange`.
    pub byte_range: [u64; 4],
    /// The DER container, trimmed of zero padding.
    pub contents: Vec<u8>,
    /// What the byte range covers.
    pub coverage: Coverage,
    /// 1-based revision the signature belongs to (the one its byte range ends with).
    pub revision: usize,
    /// Problems with the byte range or placeholder (empty when sound). Any entry means the
    /// signature must be reported invalid whatever its CMS says.
    pub problems: Vec<String>,
    /// Changes made by later revisions.
    pub later_changes: Vec<LaterChange>,
    /// For the document's certification signature (the one `/Perms /DocMDP` names), the
    /// changes it allows; later changes of every signature are judged against it.
    pub certification: Option<crate::api::DocMdp>,
}

impl EmbeddedSignature {
    /// A reader over the signed bytes (both ranges, in order), streamed from `file`.
    pub fn signed_bytes<R: Read + Seek>(&self, mut file: R) -> Result<impl Read> {
        let [a, b, c, d] = self.byte_range;
        file.seek(SeekFrom::Start(a))?;
        Ok(RangeReader { file, ranges: vec![(a, b), (c, d)], current: 0, left: b, positioned: true })
    }

    /// True when the byte range is sound and no later revision made a disallowed change.
    pub fn is_untouched(&self) -> bool {
        self.problems.is_empty()
            && self.coverage != Coverage::Suspicious
            && self.later_changes.iter().all(|c| c.allowed)
    }
}

struct RangeReader<R> {
    file: R,
    ranges: Vec<(u64, u64)>,
    current: usize,
    left: u64,
    positioned: bool,
}

impl<R: Read + Seek> Read for RangeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.current >= self.ranges.len() {
                return Ok(0);
            }
            if !self.positioned {
                self.file.seek(SeekFrom::Start(self.ranges[self.current].0))?;
                self.left = self.ranges[self.current].1;
                self.positioned = true;
            }
            if self.left == 0 {
                self.current += 1;
                self.positioned = false;
                continue;
            }
            let n = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
            let got = self.file.read(&mut buf[..n])?;
            if got == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the file is shorter than the signed byte range",
                ));
            }
            self.left -= got as u64;
            return Ok(got);
        }
    }
}

/// What [`inspect`] found.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// Number of revisions (`%%EOF` markers that end an update).
    pub revisions: usize,
    /// Cross-reference kind of the last revision.
    pub xref_kind: XrefKind,
    /// True when some revision uses hybrid references (table + `/XRefStm`): strict
    /// validators (pyHanko) refuse such files whatever is appended; see the crate docs.
    pub hybrid: bool,
    /// Number of cross-reference sections reached through `/Prev`.
    pub xref_sections: usize,
    /// True when `startxref` was wrong and the section was recovered by scanning.
    pub xref_recovered: bool,
    /// Whether the document is encrypted.
    pub encrypted: bool,
    /// Number of pages.
    pub pages: usize,
    /// Signatures and document timestamps, in file order of their byte ranges.
    pub signatures: Vec<EmbeddedSignature>,
}

/// Lists the signatures of a PDF with their coverage and the changes made after them.
pub fn inspect(mut input: impl Read + Seek, user_password: Option<&str>) -> Result<Inspection> {
    let doc = Document::read(&mut input, user_password.unwrap_or(""))?;
    let data = doc.bytes();
    let ends = revision_ends(data);
    let mut signatures = Vec::new();
    let certified = docmdp(&doc);
    for (name, sig) in signature_fields(&doc) {
        let mut e = examine(&doc, &ends, name, &sig);
        e.certification = certified.as_ref().filter(|(d, _)| *d == sig).map(|(_, l)| *l);
        signatures.push(e);
    }
    signatures.sort_by_key(|s| s.byte_range[2] + s.byte_range[3]);
    let level = certified.map(|(_, l)| l);
    for s in &mut signatures {
        if s.problems.is_empty() && s.coverage == Coverage::EntireRevision {
            s.later_changes = crate::inspect_diff::later_changes(&doc, &ends, s.revision, level);
        }
    }
    Ok(Inspection {
        revisions: ends.len(),
        xref_kind: doc.tail.kind,
        xref_sections: doc.tail.sections.len(),
        hybrid: doc.tail.hybrid,
        xref_recovered: doc.tail.recovered,
        encrypted: doc.crypt.is_some(),
        pages: doc.page_count(),
        signatures,
    })
}

/// Offsets just past each `%%EOF` marker (and its end-of-line), in file order.
pub(crate) fn revision_ends(data: &[u8]) -> Vec<u64> {
    let mut ends = Vec::new();
    let mut from = 0;
    while let Some(p) = find(data, b"%%EOF", from) {
        let mut end = p + 5;
        if data.get(end) == Some(&b'\r') {
            end += 1;
        }
        if data.get(end) == Some(&b'\n') {
            end += 1;
        }
        ends.push(end as u64);
        from = p + 5;
    }
    ends
}

/// `(fully qualified name, signature dictionary)` for every signed signature field.
fn signature_fields(doc: &Document) -> Vec<(String, Dict)> {
    let mut out = Vec::new();
    let Ok(catalog) = doc.catalog() else { return out };
    let fields = catalog
        .get("AcroForm")
        .and_then(|f| doc.resolve(f))
        .and_then(|f| f.as_dict().and_then(|d| d.get("Fields").cloned()))
        .and_then(|f| doc.resolve(&f));
    let mut stack: Vec<(Obj, String, Option<Vec<u8>>, usize)> = fields
        .as_ref()
        .and_then(Obj::as_array)
        .map(|a| a.iter().rev().map(|f| (f.clone(), String::new(), None, 0)).collect())
        .unwrap_or_default();
    let mut seen: Vec<Obj> = Vec::new();
    while let Some((f, prefix, ft, depth)) = stack.pop() {
        if depth > 32 || out.len() > 10_000 {
            break;
        }
        let Some(Obj::Dict(d)) = doc.resolve(&f) else { continue };
        let name = match d.get("T") {
            Some(Obj::Str(s)) if prefix.is_empty() => decode_text(s),
            Some(Obj::Str(s)) => format!("{prefix}.{}", decode_text(s)),
            _ => prefix.clone(),
        };
        let ft = d.get("FT").and_then(Obj::as_name).map(<[u8]>::to_vec).or(ft);
        // A kid without /T is a widget of its parent field, not a field (a /V on it, as we
        // write for poppler, is the parent's signature again).
        let is_field = depth == 0 || d.get("T").is_some();
        if is_field
            && ft.as_deref() == Some(b"Sig")
            && let Some(v) = d.get("V")
            && !seen.contains(v)
            && let Some(Obj::Dict(sig)) = doc.resolve(v)
        {
            seen.push(v.clone());
            out.push((name.clone(), sig));
        }
        if let Some(kids) = d.get("Kids").and_then(|k| doc.resolve(k)) {
            for k in kids.as_array().unwrap_or_default().iter().rev() {
                stack.push((k.clone(), name.clone(), ft.clone(), depth + 1));
            }
        }
    }
    out
}

fn examine(doc: &Document, ends: &[u64], field_name: String, sig: &Dict) -> EmbeddedSignature {
    let data = doc.bytes();
    let text = |k: &str| match sig.get(k) {
        Some(Obj::Str(s)) => Some(decode_text(s)),
        _ => None,
    };
    let name = |k: &str| sig.get(k).and_then(Obj::as_name).map(|n| String::from_utf8_lossy(n).into_owned());
    let mut problems = Vec::new();
    let br: Vec<i64> = sig
        .get("ByteRange")
        .and_then(Obj::as_array)
        .map(|a| a.iter().filter_map(Obj::as_int).collect())
        .unwrap_or_default();
    let mut byte_range = [0u64; 4];
    if br.len() != 4 || br.iter().any(|v| *v < 0) {
        problems.push("/ByteRange is not four non-negative integers".into());
    } else {
        for (i, v) in br.iter().enumerate() {
            byte_range[i] = *v as u64;
        }
    }
    let [a, b, c, d] = byte_range;
    let len = data.len() as u64;
    let mut contents = Vec::new();
    if problems.is_empty() {
        if a != 0 {
            problems.push("the signed range does not start at byte 0".into());
        }
        if b >= c || c.checked_add(d).is_none_or(|e| e > len) || b < 1 {
            problems.push("/ByteRange is out of order or beyond the end of the file".into());
        } else {
            let gap = &data[b as usize..c as usize];
            match contents_from_gap(gap) {
                Some(der) => contents = der,
                None => problems.push("the unsigned gap is not exactly one hex string (<...>)".into()),
            }
            let before = &data[..b as usize];
            let trimmed = before.iter().rposition(|x| !crate::obj::is_whitespace(*x));
            let ok = trimmed.is_some_and(|p| before[..=p].ends_with(b"/Contents"));
            if !ok {
                problems.push("the unsigned gap is not the value of /Contents".into());
            }
            if doc.crypt.is_none() {
                match sig.get("Contents") {
                    Some(Obj::Str(s)) if trim_der(s) == contents.as_slice() => {}
                    _ => problems.push("the gap does not hold the /Contents of this signature dictionary".into()),
                }
            }
            if contents.is_empty() {
                problems.push("/Contents is empty".into());
            }
        }
    }
    let end = c.saturating_add(d);
    let coverage = if problems.is_empty() && end == len {
        Coverage::EntireFile
    } else if problems.is_empty() && ends.contains(&end) {
        Coverage::EntireRevision
    } else {
        Coverage::Suspicious
    };
    let revision = ends.iter().position(|e| *e >= end).map_or(ends.len(), |p| p + 1);
    EmbeddedSignature {
        field_name,
        sig_type: name("Type"),
        sub_filter: name("SubFilter"),
        signing_time: text("M"),
        reason: text("Reason"),
        location: text("Location"),
        byte_range,
        contents,
        coverage,
        revision,
        problems,
        later_changes: Vec::new(),
        certification: None,
    }
}

/// The certification signature's dictionary and its DocMDP level (`/P` defaults to 2).
pub(crate) fn docmdp(doc: &Document) -> Option<(Dict, crate::api::DocMdp)> {
    let catalog = doc.catalog().ok()?;
    let perms = catalog.get("Perms").and_then(|p| doc.resolve(p))?;
    let sig = perms.as_dict()?.get("DocMDP").and_then(|s| doc.resolve(s))?.as_dict()?.clone();
    let refs = sig.get("Reference").and_then(|r| doc.resolve(r))?.as_array()?.to_vec();
    let level = refs.iter().filter_map(|r| doc.resolve(r)).find_map(|r| {
        let d = r.as_dict()?;
        (d.get("TransformMethod").and_then(Obj::as_name) == Some(b"DocMDP")).then_some(())?;
        let p = d
            .get("TransformParams")
            .and_then(|t| doc.resolve(t))
            .and_then(|t| t.as_dict().and_then(|t| t.get("P")).and_then(Obj::as_int))
            .unwrap_or(2);
        crate::api::DocMdp::from_p(p)
    })?;
    Some((sig, level))
}

/// Decodes `<hex…>` exactly (whitespace allowed inside), trimmed to the DER length.
fn contents_from_gap(gap: &[u8]) -> Option<Vec<u8>> {
    let inner = gap.strip_prefix(b"<")?.strip_suffix(b">")?;
    let mut nibbles = Vec::with_capacity(inner.len());
    for &x in inner {
        if crate::obj::is_whitespace(x) {
            continue;
        }
        nibbles.push((x as char).to_digit(16)? as u8);
    }
    if nibbles.len() % 2 == 1 {
        return None;
    }
    let bytes: Vec<u8> = nibbles.chunks(2).map(|p| (p[0] << 4) | p[1]).collect();
    Some(trim_der(&bytes).to_vec())
}

/// The DER value at the start of `bytes` (the padding after it dropped).
fn trim_der(bytes: &[u8]) -> &[u8] {
    let Some(&first_len) = bytes.get(1) else { return bytes };
    let (header, len) = if first_len < 0x80 {
        (2usize, usize::from(first_len))
    } else {
        let n = usize::from(first_len & 0x7f);
        if n == 0 || n > 4 || bytes.len() < 2 + n {
            return bytes;
        }
        let len = bytes[2..2 + n].iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (2 + n, len)
    };
    bytes.get(..header + len).unwrap_or(bytes)
}
