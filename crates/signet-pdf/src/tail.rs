//! The file tail: `startxref`, the last trailer and the kind of cross-reference data.
//!
//! hayro-syntax reads objects but keeps the trailer and xref offsets to itself, and the
//! incremental writer needs exactly those (`/Prev`, `/Size`, `/Root`, `/Info`, `/ID`, `/Encrypt`
//! and whether to append a table or a stream), so they are read here from the raw bytes.

use crate::error::{PdfError, Result};
use crate::obj::{Dict, Obj, Parser, is_delimiter, is_whitespace};

/// How the last revision stores its cross-reference data; the appended revision uses the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XrefKind {
    /// A classic `xref` table and `trailer`.
    Table,
    /// A cross-reference stream (PDF 1.5+).
    Stream,
    /// A table whose trailer also points to a cross-reference stream (`/XRefStm`).
    Hybrid,
}

/// What the writer needs from the end of the file.
#[derive(Debug, Clone)]
pub struct Tail {
    /// Offset of the last cross-reference section (corrected if `startxref` was off).
    pub startxref: u64,
    /// The kind of the last cross-reference section.
    pub kind: XrefKind,
    /// `/Size` of the last trailer: the first free object number.
    pub size: u32,
    /// `/Root` of the last trailer.
    pub root: (u32, u16),
    /// `/Info`, if any.
    pub info: Option<(u32, u16)>,
    /// `/ID`, if any.
    pub id: Option<[Vec<u8>; 2]>,
    /// How far the `%PDF-` header is from byte 0 when offsets count from it (junk before
    /// the header); written offsets are shifted back by this much.
    pub(crate) shift: u64,
    /// `/ID` exactly as written (kept as is when it is not two strings).
    pub(crate) id_raw: Option<Obj>,
    /// `/Encrypt` as written (a reference or a direct dictionary).
    pub(crate) encrypt: Option<Obj>,
    /// Offsets of every cross-reference section, newest first, following `/Prev`.
    pub sections: Vec<u64>,
    /// True when any section in the chain is hybrid (a table with `/XRefStm`).
    pub hybrid: bool,
    /// True when the `startxref` offset was wrong and the section was found by scanning.
    pub recovered: bool,
}

/// Reads the tail of a complete PDF held in `data`.
pub fn read_tail(data: &[u8]) -> Result<Tail> {
    let header = find(data, b"%PDF-", 0)
        .filter(|p| *p <= 1024)
        .ok_or(PdfError::NotPdf("no %PDF- header in the first 1024 bytes"))?;
    let sx_pos = rfind(data, b"startxref")
        .ok_or_else(|| PdfError::BrokenXref("no startxref keyword (truncated file?)".into()))?;
    let claimed = Parser::new(data, sx_pos + 9).uint();
    let mut shift = 0u64;
    let (offset, recovered) = match claimed {
        Some(off) if exact(data, off as usize) => (off, false),
        // Junk before the header: offsets count from `%PDF-`, as readers assume.
        Some(off) if header > 0 && exact(data, off as usize + header) => {
            shift = header as u64;
            (off + shift, false)
        }
        // Off by some whitespace: still the section the writer meant.
        Some(off) if section_at(data, off as usize).is_some() => (off, false),
        _ => {
            let off = recover_section(data, sx_pos).ok_or_else(|| {
                PdfError::BrokenXref("startxref points to no xref section and none could be found".into())
            })?;
            (off as u64, true)
        }
    };
    let (kind0, trailer) = section_at(data, offset as usize)
        .ok_or_else(|| PdfError::BrokenXref(format!("unreadable xref section at {offset}")))?;
    let kind = match kind0 {
        XrefKind::Table if trailer.get("XRefStm").is_some() => XrefKind::Hybrid,
        k => k,
    };
    let root = trailer
        .get("Root")
        .and_then(Obj::as_ref)
        .ok_or_else(|| PdfError::BrokenXref("trailer has no /Root reference".into()))?;
    let info = trailer.get("Info").and_then(Obj::as_ref);
    let id = trailer.get("ID").and_then(Obj::as_array).and_then(|a| match a {
        [Obj::Str(a), Obj::Str(b)] => Some([a.clone(), b.clone()]),
        _ => None,
    });
    let encrypt = trailer.get("Encrypt").cloned();
    let id_raw = trailer.get("ID").cloned();
    let mut sections = vec![offset];
    let mut size = trailer.get("Size").and_then(Obj::as_int).unwrap_or(0);
    let mut prev = trailer.get("Prev").and_then(Obj::as_int);
    let mut hybrid = kind == XrefKind::Hybrid;
    while let Some(p) = prev {
        let Ok(p) = u64::try_from(p).map(|p| p + shift) else { break };
        // A /Prev loop or a forward chain longer than the file has sections is refused politely:
        // we stop following it; hayro-syntax does its own reading of objects.
        if sections.contains(&p) || sections.len() > 10_000 {
            break;
        }
        let Some((_, t)) = section_at(data, p as usize) else {
            break;
        };
        sections.push(p);
        hybrid |= t.get("XRefStm").is_some();
        size = size.max(t.get("Size").and_then(Obj::as_int).unwrap_or(0));
        prev = t.get("Prev").and_then(Obj::as_int);
    }
    let size = u32::try_from(size)
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| PdfError::BrokenXref("trailer has no valid /Size".into()))?;
    Ok(Tail { startxref: offset, kind, size, root, info, id, id_raw, shift, encrypt, sections, hybrid, recovered })
}

/// True when an xref section starts exactly at `off` (no leading whitespace).
fn exact(data: &[u8], off: usize) -> bool {
    data.get(off).is_some_and(|b| !is_whitespace(*b)) && section_at(data, off).is_some()
}

/// Parses the xref section at `off` and returns its kind and trailer (or xref stream) dictionary.
fn section_at(data: &[u8], off: usize) -> Option<(XrefKind, Dict)> {
    let mut p = Parser::new(data, off);
    if p.eat_keyword(b"xref") {
        let t = find(data, b"trailer", p.pos)?;
        let mut p = Parser::new(data, t + 7);
        let d = p.dict()?;
        return Some((XrefKind::Table, d));
    }
    p.uint()?;
    p.uint()?;
    if !p.eat_keyword(b"obj") {
        return None;
    }
    let d = p.dict()?;
    (d.get("Type").and_then(Obj::as_name) == Some(b"XRef")).then_some((XrefKind::Stream, d))
}

/// Finds the last xref section before `startxref` when its offset is wrong.
fn recover_section(data: &[u8], before: usize) -> Option<usize> {
    let head = &data[..before];
    let mut end = head.len();
    // Last `xref` keyword at a line start.
    while let Some(p) = rfind(&head[..end], b"xref") {
        if (p == 0 || matches!(head[p - 1], b'\n' | b'\r')) && section_at(data, p).is_some() {
            return Some(p);
        }
        end = p;
    }
    // Last xref stream object: walk back from its /XRef name to the `N G obj` header.
    let mut end = head.len();
    while let Some(p) = rfind(&head[..end], b"/XRef") {
        let from = p.saturating_sub(4096);
        let mut cur = p;
        while let Some(o) = rfind(&head[from..cur], b"obj") {
            let o = from + o;
            let line_start = head[..o].iter().rposition(|&b| b == b'\n' || b == b'\r').map_or(0, |x| x + 1);
            if section_at(data, line_start).is_some() {
                return Some(line_start);
            }
            cur = o;
        }
        end = p;
    }
    None
}

/// Every `N G obj` header that starts a line, in file order.
pub(crate) fn object_headers(data: &[u8]) -> impl Iterator<Item = (u32, u16)> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(p) = find(data, b"obj", from) {
            from = p + 3;
            if data.get(p + 3).is_some_and(|b| !is_whitespace(*b) && !is_delimiter(*b)) {
                continue;
            }
            // A header is short: look back at most 32 bytes for the line start.
            let window = p.saturating_sub(32);
            let Some(line_start) = data[window..p]
                .iter()
                .rposition(|&b| b == b'\n' || b == b'\r')
                .map(|x| window + x + 1)
                .or((window == 0).then_some(0))
            else {
                continue;
            };
            let mut parser = Parser::new(data, line_start);
            if let (Some(n), Some(g)) = (parser.uint(), parser.uint())
                && parser.eat_keyword(b"obj")
                && parser.pos == p + 3
                && let (Ok(n), Ok(g)) = (u32::try_from(n), u16::try_from(g))
            {
                return Some((n, g));
            }
        }
        None
    })
}

pub(crate) fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    memchr::memmem::find(hay.get(from..)?, needle).map(|p| p + from)
}

pub(crate) fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::rfind(hay, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simple(claimed_delta: i64) -> (Vec<u8>, u64) {
        let body = "%PDF-1.4\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n2 0 obj\n<</Type/Pages/Kids[]/Count 0>>\nendobj\n";
        let xref = body.len() as u64;
        let text = format!(
            "{body}xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000056 00000 n \ntrailer\n<</Size 3/Root 1 0 R>>\nstartxref\n{}\n%%EOF\n",
            xref as i64 + claimed_delta
        );
        (text.into_bytes(), xref)
    }

    #[test]
    fn reads_a_table_tail() {
        let (data, xref) = simple(0);
        let t = read_tail(&data).unwrap();
        assert_eq!(t.kind, XrefKind::Table);
        assert_eq!(t.size, 3);
        assert_eq!(t.root, (1, 0));
        assert_eq!(t.startxref, xref);
        assert!(!t.recovered);
    }

    #[test]
    fn recovers_an_off_startxref() {
        let (data, xref) = simple(-4);
        let t = read_tail(&data).unwrap();
        assert!(t.recovered);
        assert_eq!(t.startxref, xref);
    }

    #[test]
    fn offsets_count_from_the_header_after_leading_junk() {
        let (data, xref) = simple(0);
        let mut junk = b"leading junk\n".to_vec();
        junk.extend_from_slice(&data);
        let t = read_tail(&junk).unwrap();
        assert_eq!(t.shift, 13);
        assert_eq!(t.startxref, xref + 13);
        assert!(!t.recovered);
    }

    #[test]
    fn refuses_garbage() {
        assert!(matches!(read_tail(b"hello"), Err(PdfError::NotPdf(_))));
        assert!(matches!(read_tail(b"%PDF-1.4\n"), Err(PdfError::BrokenXref(_))));
    }
}
