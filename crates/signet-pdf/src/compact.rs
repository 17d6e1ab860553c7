//! Loading only a document's structure, for signing without reading its pages' contents.
//!
//! hayro-syntax wants the whole file as one byte slice, but a signature needs only the
//! catalog, the page tree, the AcroForm and the pages it stamps: small dictionaries that,
//! in a big file, are scattered between megabytes of content streams, fonts and images.
//! Giving hayro a buffer with the file's layout would make every memory page holding one of
//! those dictionaries resident (a 60 MB text PDF of 10,000 pages touches nearly all of it).
//!
//! So we read the cross-reference chain ourselves (tables, streams, hybrid sections, by
//! seeking), then copy every live object into a **compact** buffer in file order, keeping
//! object numbers and raw bytes (encrypted strings stay valid: their keys depend only on
//! the numbers) but leaving out the data of every stream except object streams, and end it
//! with a fresh cross-reference stream. hayro-syntax opens that buffer as it would open the
//! file, and the writer takes the trailer facts ([`Tail`]) from the real file.
//!
//! Anything unusual (a broken xref, an object not where its entry says, a predictor we do
//! not decode) makes [`load`] answer `None`, and the caller falls back to the
//! layout-preserving loader ([`crate::sparse`]), which lets hayro repair the file.

use crate::obj::{Dict, Obj, Parser, write_dict};
use crate::tail::{Tail, read_tail, rfind};
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};

/// The structure of a document, ready for hayro-syntax, and what the writer needs of the file.
pub(crate) struct Compact {
    /// The compact buffer (its own offsets; only meaningful to the parser).
    pub(crate) data: Vec<u8>,
    /// The real file's tail.
    pub(crate) tail: Tail,
    /// The real file's length.
    pub(crate) original_len: u64,
    /// Whether the real file ends with an end-of-line byte.
    pub(crate) ends_with_eol: bool,
}

/// Bytes read ahead on each seek: small dictionaries between big streams share one read.
const READ_AHEAD: usize = 64 * 1024;
/// The largest single object (dictionary, array, object stream) we read to parse it.
const MAX_OBJECT: usize = 64 * 1024 * 1024;
/// The end of the file searched for `startxref`.
const TAIL_WINDOW: usize = 4096;
/// The highest object number the compact xref lists (real files stay far below).
const MAX_OBJECT_NUMBER: u32 = 8 * 1024 * 1024;
/// Sections followed before giving up (a /Prev loop is caught separately).
const MAX_SECTIONS: usize = 10_000;

/// Reads the structure of `input` (from any position; it is rewound afterwards).
/// `Ok(None)` means the file needs the repairing loader.
pub(crate) fn load(input: &mut (impl Read + Seek + ?Sized)) -> std::io::Result<Option<Compact>> {
    let len = input.seek(SeekFrom::End(0))?;
    let mut at = Window { input, len, start: 0, buf: Vec::new() };
    let result = build(&mut at);
    at.input.seek(SeekFrom::Start(0))?;
    result
}

/// The whole document rewritten with one cross-reference section: every live object copied
/// byte for byte (same numbers, so encrypted strings and streams stay valid), old xref
/// streams dropped. Used to normalise an unsigned hybrid-reference file before its first
/// signature. `Ok(None)` when the file needs repairing first.
pub(crate) fn rewrite(input: &mut (impl Read + Seek + ?Sized)) -> std::io::Result<Option<Vec<u8>>> {
    let len = input.seek(SeekFrom::End(0))?;
    let mut at = Window { input, len, start: 0, buf: Vec::new() };
    let result = match read_chain(&mut at) {
        Ok(Some(xref)) => copy_objects(&mut at, &xref, Keep::Everything),
        other => other.map(|_| None),
    };
    at.input.seek(SeekFrom::Start(0))?;
    result
}

fn build<R: Read + Seek + ?Sized>(at: &mut Window<'_, R>) -> std::io::Result<Option<Compact>> {
    let len = at.len;
    let Some(xref) = read_chain(at)? else { return Ok(None) };
    let Some(tail) = tail_of(at, &xref)? else { return Ok(None) };
    let ends_with_eol = len > 0 && matches!(at.get(len - 1, 1)?.first(), Some(b'\n' | b'\r'));
    let Some(data) = copy_objects(at, &xref, Keep::Structure)? else { return Ok(None) };
    Ok(Some(Compact { data, tail, original_len: len, ends_with_eol }))
}

/// Random access to the input through one read-ahead buffer.
struct Window<'r, R: ?Sized> {
    input: &'r mut R,
    len: u64,
    start: u64,
    buf: Vec<u8>,
}

impl<R: Read + Seek + ?Sized> Window<'_, R> {
    /// At least `want` bytes from `off` (fewer at the end of the file), maybe more.
    fn get(&mut self, off: u64, want: usize) -> std::io::Result<&[u8]> {
        if off >= self.len {
            return Ok(&[]);
        }
        let end = off.saturating_add(want as u64).min(self.len);
        let have = off >= self.start && end <= self.start + self.buf.len() as u64;
        if !have {
            let n = (end - off).max(READ_AHEAD as u64).min(self.len - off) as usize;
            self.input.seek(SeekFrom::Start(off))?;
            self.buf.resize(n, 0);
            self.input.read_exact(&mut self.buf)?;
            self.start = off;
        }
        Ok(&self.buf[(off - self.start) as usize..])
    }

    /// Parses with `f` over a window at `off`, growing it while `f` runs out of bytes.
    fn parse<T>(&mut self, off: u64, mut f: impl FnMut(&[u8]) -> Option<T>) -> std::io::Result<Option<T>> {
        let mut want = 1024usize;
        loop {
            let len = self.len;
            let s = self.get(off, want)?;
            let reached_end = off + s.len() as u64 >= len;
            if let Some(t) = f(s) {
                return Ok(Some(t));
            }
            if reached_end || want >= MAX_OBJECT {
                return Ok(None);
            }
            want = (want * 4).min(MAX_OBJECT).max(s.len() + 1);
        }
    }
}

/// A cross-reference entry.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Entry {
    Free,
    Plain { gn: u16, off: u64 },
    Packed { stm: u32, idx: u32 },
}

/// The merged cross-reference chain.
struct Xref {
    startxref: u64,
    entries: HashMap<u32, Entry>,
    /// The newest trailer (or xref stream dictionary).
    trailer: Dict,
    /// `(offset, length)` of every section read, for the tail reader.
    sections: Vec<(u64, usize)>,
}

fn read_chain<R: Read + Seek + ?Sized>(at: &mut Window<'_, R>) -> std::io::Result<Option<Xref>> {
    let from = at.len.saturating_sub(TAIL_WINDOW as u64);
    let tail = at.get(from, TAIL_WINDOW)?;
    let Some(startxref) = rfind(tail, b"startxref").and_then(|p| Parser::new(tail, p + 9).uint()) else {
        return Ok(None);
    };
    let mut xref = Xref { startxref, entries: HashMap::new(), trailer: Dict::new(), sections: Vec::new() };
    let mut next = Some(startxref);
    let mut first = true;
    while let Some(off) = next.take() {
        if xref.sections.iter().any(|s| s.0 == off) || xref.sections.len() > MAX_SECTIONS {
            return Ok(None);
        }
        let Some(section) = read_section(at, off)? else { return Ok(None) };
        xref.sections.push((off, section.len));
        merge(&mut xref.entries, &section.entries);
        // Hybrid: the table's entries first, then those only the xref stream lists.
        if section.table
            && let Some(stm) = section.trailer.get("XRefStm").and_then(Obj::as_int)
        {
            let Some(s) = u64::try_from(stm).ok().map(|o| read_section(at, o)).transpose()?.flatten() else {
                return Ok(None);
            };
            if s.table {
                return Ok(None);
            }
            xref.sections.push((stm as u64, s.len));
            merge(&mut xref.entries, &s.entries);
        }
        next = section.trailer.get("Prev").and_then(Obj::as_int).and_then(|p| u64::try_from(p).ok());
        if first {
            xref.trailer = section.trailer;
            first = false;
        }
    }
    Ok(Some(xref))
}

fn merge(into: &mut HashMap<u32, Entry>, from: &[(u32, Entry)]) {
    for (n, e) in from {
        into.entry(*n).or_insert(*e);
    }
}

struct Section {
    table: bool,
    entries: Vec<(u32, Entry)>,
    trailer: Dict,
    /// Bytes from the section's start to the end of its trailer or stream data.
    len: usize,
}

fn read_section<R: Read + Seek + ?Sized>(at: &mut Window<'_, R>, off: u64) -> std::io::Result<Option<Section>> {
    let is_table = at.parse(off, |s| Some(Parser::new(s, 0).eat_keyword(b"xref")))?.unwrap_or(false);
    if is_table {
        return at.parse(off, parse_table);
    }
    // An xref stream: its dictionary, then its data by a direct /Length.
    let Some((dict, data_start)) = at.parse(off, |s| {
        let mut p = Parser::new(s, 0);
        p.uint()?;
        p.uint()?;
        p.eat_keyword(b"obj").then_some(())?;
        let d = p.dict()?;
        p.eat_keyword(b"stream").then_some(())?;
        Some((d, p.pos + eol_len(s.get(p.pos..)?)?))
    })?
    else {
        return Ok(None);
    };
    if dict.get("Type").and_then(Obj::as_name) != Some(b"XRef") {
        return Ok(None);
    }
    let Some(n) = dict.get("Length").and_then(Obj::as_int).and_then(|n| usize::try_from(n).ok()) else {
        return Ok(None);
    };
    if n > MAX_OBJECT {
        return Ok(None);
    }
    let raw = at.get(off + data_start as u64, n)?;
    let Some(raw) = raw.get(..n) else { return Ok(None) };
    let Some(entries) = stream_entries(&dict, raw) else { return Ok(None) };
    Ok(Some(Section { table: false, entries, trailer: dict, len: data_start + n }))
}

/// Length of the end-of-line after `stream` (`\r\n`, `\n`, or a lone `\r`).
fn eol_len(after: &[u8]) -> Option<usize> {
    match after {
        [b'\r', b'\n', ..] => Some(2),
        [b'\n', ..] | [b'\r', ..] => Some(1),
        _ => None,
    }
}

fn parse_table(s: &[u8]) -> Option<Section> {
    let mut p = Parser::new(s, 0);
    p.eat_keyword(b"xref").then_some(())?;
    let mut entries = Vec::new();
    loop {
        if p.eat_keyword(b"trailer") {
            let trailer = p.dict()?;
            return Some(Section { table: true, entries, trailer, len: p.pos });
        }
        let first = u32::try_from(p.uint()?).ok()?;
        let count = u32::try_from(p.uint()?).ok()?;
        for i in 0..count {
            let off = p.uint()?;
            let gn = u16::try_from(p.uint()?).ok()?;
            p.skip_ws();
            let kind = *s.get(p.pos)?;
            p.pos += 1;
            let entry = match kind {
                b'n' => Entry::Plain { gn, off },
                b'f' => Entry::Free,
                _ => return None,
            };
            entries.push((first.checked_add(i)?, entry));
        }
    }
}

/// Decodes the rows of a cross-reference stream (FlateDecode or none; PNG predictors).
fn stream_entries(dict: &Dict, raw: &[u8]) -> Option<Vec<(u32, Entry)>> {
    let filter = match dict.get("Filter") {
        None => None,
        Some(Obj::Name(n)) => Some(n.as_slice()),
        Some(Obj::Array(a)) if a.len() == 1 => a[0].as_name(),
        Some(Obj::Array(a)) if a.is_empty() => None,
        _ => return None,
    };
    let data = match filter {
        None => raw.to_vec(),
        Some(b"FlateDecode") => {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(raw).take(MAX_OBJECT as u64).read_to_end(&mut out).ok()?;
            out
        }
        Some(_) => return None,
    };
    let w: Vec<usize> = dict
        .get("W")?
        .as_array()?
        .iter()
        .map(|x| x.as_int().and_then(|i| usize::try_from(i).ok()).filter(|i| *i <= 8))
        .collect::<Option<_>>()?;
    let [w0, w1, w2] = w[..] else { return None };
    let row = w0 + w1 + w2;
    if row == 0 {
        return None;
    }
    let parms = match dict.get("DecodeParms") {
        Some(Obj::Array(a)) => a.first().and_then(Obj::as_dict).cloned(),
        Some(Obj::Dict(d)) => Some(d.clone()),
        _ => None,
    };
    let predictor = parms.as_ref().and_then(|d| d.get("Predictor")).and_then(Obj::as_int).unwrap_or(1);
    let data = match predictor {
        1 => data,
        10..=15 => {
            let columns = parms.as_ref().and_then(|d| d.get("Columns")).and_then(Obj::as_int).unwrap_or(1);
            if usize::try_from(columns).ok()? != row {
                return None;
            }
            unpredict_png(&data, row)?
        }
        _ => return None,
    };
    let size = dict.get("Size").and_then(Obj::as_int)?;
    let index: Vec<i64> = match dict.get("Index") {
        Some(Obj::Array(a)) => a.iter().map(Obj::as_int).collect::<Option<_>>()?,
        _ => vec![0, size],
    };
    let field = |b: &[u8]| b.iter().fold(0u64, |a, x| (a << 8) | u64::from(*x));
    let mut rows = data.chunks_exact(row);
    let mut out = Vec::new();
    for pair in index.chunks(2) {
        let [first, count] = pair else { return None };
        for i in 0..*count {
            let r = rows.next()?;
            let kind = if w0 == 0 { 1 } else { field(&r[..w0]) };
            let (f2, f3) = (field(&r[w0..w0 + w1]), field(&r[w0 + w1..]));
            let entry = match kind {
                0 => Entry::Free,
                1 => Entry::Plain { gn: u16::try_from(f3).ok()?, off: f2 },
                2 => Entry::Packed { stm: u32::try_from(f2).ok()?, idx: u32::try_from(f3).ok()? },
                _ => continue,
            };
            out.push((u32::try_from(first.checked_add(i)?).ok()?, entry));
        }
    }
    Some(out)
}

/// Undoes PNG row predictors (one filter byte per row; 1 byte per pixel).
fn unpredict_png(data: &[u8], row: usize) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / (row + 1) * row);
    let mut prev = vec![0u8; row];
    for chunk in data.chunks(row + 1) {
        let (&filter, line) = chunk.split_first()?;
        if line.len() != row {
            return None;
        }
        let mut cur = vec![0u8; row];
        for i in 0..row {
            let left = if i > 0 { cur[i - 1] } else { 0 };
            let up = prev[i];
            let up_left = if i > 0 { prev[i - 1] } else { 0 };
            let pred = match filter {
                0 => 0,
                1 => left,
                2 => up,
                3 => ((u16::from(left) + u16::from(up)) / 2) as u8,
                4 => paeth(left, up, up_left),
                _ => return None,
            };
            cur[i] = line[i].wrapping_add(pred);
        }
        out.extend_from_slice(&cur);
        prev = cur;
    }
    Some(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = ((p - i16::from(a)).abs(), (p - i16::from(b)).abs(), (p - i16::from(c)).abs());
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// The real file's [`Tail`], read by the ordinary tail reader from a buffer with the file's
/// layout that holds only the header, the end and the xref sections (the rest stays zero
/// pages, never resident).
fn tail_of<R: Read + Seek + ?Sized>(at: &mut Window<'_, R>, xref: &Xref) -> std::io::Result<Option<Tail>> {
    let len = usize::try_from(at.len).map_err(|_| std::io::Error::other("file too large"))?;
    let mut layout = vec![0u8; len];
    let mut copy = |at: &mut Window<'_, R>, off: u64, n: usize| -> std::io::Result<()> {
        let s = at.get(off, n)?;
        let n = n.min(s.len());
        layout[off as usize..off as usize + n].copy_from_slice(&s[..n]);
        Ok(())
    };
    copy(at, 0, 1024.min(len))?;
    copy(at, at.len.saturating_sub(TAIL_WINDOW as u64), TAIL_WINDOW.min(len))?;
    for &(off, n) in &xref.sections {
        copy(at, off, n)?;
    }
    Ok(read_tail(&layout).ok().filter(|t| !t.recovered && t.shift == 0 && t.startxref == xref.startxref))
}

/// One object read from the file: its body's raw bytes, and for an object stream its data.
struct RawObject {
    body: Vec<u8>,
    stream: Option<Vec<u8>>,
    /// A cross-reference stream of the file (left out of a rewrite).
    old_xref: bool,
}

/// What [`copy_objects`] keeps of streams.
#[derive(Clone, Copy, PartialEq)]
enum Keep {
    /// Object streams whole, other streams as their dictionaries (for parsing only).
    Structure,
    /// Every stream whole, old cross-reference streams dropped (a complete document).
    Everything,
}

/// Copies every live object into a new buffer (raw bytes, same numbers) and ends it with a
/// cross-reference section for it: a stream, or a table when `Everything` is kept and no
/// object lives in an object stream.
fn copy_objects<R: Read + Seek + ?Sized>(
    at: &mut Window<'_, R>,
    xref: &Xref,
    keep: Keep,
) -> std::io::Result<Option<Vec<u8>>> {
    let version = at.parse(0, |s| {
        let p = crate::tail::find(s, b"%PDF-", 0).filter(|p| *p == 0)?;
        let end = s[p..].iter().position(|b| matches!(b, b'\r' | b'\n'))?;
        Some(s[p..p + end].to_vec())
    })?;
    let Some(version) = version.filter(|v| v.len() <= 16) else { return Ok(None) };
    let mut out = version;
    out.extend_from_slice(b"\n%\xe2\xe3\xcf\xd3\n");
    let mut plain: Vec<(u64, u32, u16)> = xref
        .entries
        .iter()
        .filter_map(|(n, e)| match e {
            Entry::Plain { gn, off } if *n > 0 => Some((*off, *n, *gn)),
            _ => None,
        })
        .collect();
    plain.sort_unstable();
    let mut offsets: HashMap<u32, u64> = HashMap::with_capacity(plain.len());
    for &(off, num, gn) in &plain {
        let Some(obj) = read_object(at, xref, off, num, gn, keep)? else { return Ok(None) };
        if obj.old_xref && keep == Keep::Everything {
            continue;
        }
        offsets.insert(num, out.len() as u64);
        out.extend_from_slice(format!("{num} {gn} obj\n").as_bytes());
        out.extend_from_slice(&obj.body);
        if let Some(data) = obj.stream {
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(&data);
            out.extend_from_slice(b"\nendstream");
        }
        out.extend_from_slice(b"\nendobj\n");
    }
    let size = xref.entries.keys().copied().max().unwrap_or(0).saturating_add(1);
    // Our xref lists every number below `size`: a sparse, huge numbering is left to the
    // repairing loader rather than written out row by row.
    if size > MAX_OBJECT_NUMBER {
        return Ok(None);
    }
    let packed = xref.entries.values().any(|e| matches!(e, Entry::Packed { .. }));
    if keep == Keep::Everything && !packed {
        write_table(&mut out, xref, &offsets, size);
        return Ok(Some(out));
    }
    let xref_id = size;
    let xref_at = out.len() as u64;
    let Ok(xref_at32) = u32::try_from(xref_at) else { return Ok(None) };
    let mut rows = Vec::with_capacity((size as usize + 1) * 9);
    for n in 0..=xref_id {
        let (kind, f2, f3) = match (n, xref.entries.get(&n)) {
            (n, _) if n == xref_id => (1u8, xref_at32, 0u32),
            (_, Some(Entry::Plain { gn, .. })) => match offsets.get(&n) {
                Some(o) => (1, *o as u32, u32::from(*gn)),
                None => (0, 0, 0),
            },
            (_, Some(Entry::Packed { stm, idx })) => (2, *stm, *idx),
            _ => (0, 0, if n == 0 { 65535 } else { 0 }),
        };
        rows.push(kind);
        rows.extend_from_slice(&f2.to_be_bytes());
        rows.extend_from_slice(&f3.to_be_bytes());
    }
    let mut d = Dict::new()
        .with("Type", Obj::name("XRef"))
        .with("Size", Obj::Int(i64::from(xref_id) + 1))
        .with("W", Obj::Array(vec![Obj::Int(1), Obj::Int(4), Obj::Int(4)]))
        .with("Length", Obj::Int(rows.len() as i64));
    for key in ["Root", "Info", "Encrypt", "ID"] {
        if let Some(v) = xref.trailer.get(key) {
            d.set(key, v.clone());
        }
    }
    out.extend_from_slice(format!("{xref_id} 0 obj\n").as_bytes());
    write_dict(&mut out, &d, None);
    out.extend_from_slice(b"\nstream\n");
    out.extend_from_slice(&rows);
    out.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    Ok(Some(out))
}

/// A classic table for [`copy_objects`] (every number below `size`, missing ones free).
fn write_table(out: &mut Vec<u8>, xref: &Xref, offsets: &HashMap<u32, u64>, size: u32) {
    let at = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n").as_bytes());
    for n in 0..size {
        match (xref.entries.get(&n), offsets.get(&n)) {
            (Some(Entry::Plain { gn, .. }), Some(o)) => {
                out.extend_from_slice(format!("{o:010} {gn:05} n\r\n").as_bytes())
            }
            _ if n == 0 => out.extend_from_slice(b"0000000000 65535 f\r\n"),
            _ => out.extend_from_slice(b"0000000000 00000 f\r\n"),
        }
    }
    let mut d = Dict::new().with("Size", Obj::Int(i64::from(size)));
    for key in ["Root", "Info", "Encrypt", "ID"] {
        if let Some(v) = xref.trailer.get(key) {
            d.set(key, v.clone());
        }
    }
    out.extend_from_slice(b"trailer\n");
    write_dict(out, &d, None);
    out.extend_from_slice(format!("\nstartxref\n{at}\n%%EOF\n").as_bytes());
}

/// Reads object `num gn` at `off`; `None` when it is not there or cannot be parsed.
fn read_object<R: Read + Seek + ?Sized>(
    at: &mut Window<'_, R>,
    xref: &Xref,
    off: u64,
    num: u32,
    gn: u16,
    keep: Keep,
) -> std::io::Result<Option<RawObject>> {
    // (body, dictionary if a stream follows, offset of the stream data)
    let parsed = at.parse(off, |s| {
        let mut p = Parser::new(s, 0);
        (p.uint()? == u64::from(num) && p.uint()? == u64::from(gn) && p.eat_keyword(b"obj")).then_some(())?;
        p.skip_ws();
        let start = p.pos;
        let obj = p.object()?;
        let end = p.pos;
        if p.eat_keyword(b"endobj") {
            return Some((s[start..end].to_vec(), None, 0));
        }
        let Obj::Dict(d) = obj else { return None };
        p.eat_keyword(b"stream").then_some(())?;
        let data_at = p.pos + eol_len(s.get(p.pos..)?)?;
        Some((s[start..end].to_vec(), Some(d), data_at))
    })?;
    let Some((body, dict, data_at)) = parsed else { return Ok(None) };
    let Some(dict) = dict else { return Ok(Some(RawObject { body, stream: None, old_xref: false })) };
    let kind = dict.get("Type").and_then(Obj::as_name);
    let old_xref = kind == Some(b"XRef");
    let whole = match keep {
        Keep::Structure => kind == Some(b"ObjStm"),
        Keep::Everything => !old_xref,
    };
    if !whole {
        return Ok(Some(RawObject { body, stream: None, old_xref }));
    }
    let n = match dict.get("Length") {
        Some(Obj::Int(n)) => Some(*n),
        Some(Obj::Ref(ln, lg)) => match xref.entries.get(ln) {
            Some(Entry::Plain { gn, off }) if gn == lg => {
                let (ln, lg, off) = (*ln, *lg, *off);
                at.parse(off, |s| {
                    let mut p = Parser::new(s, 0);
                    (p.uint()? == u64::from(ln) && p.uint()? == u64::from(lg) && p.eat_keyword(b"obj")).then_some(())?;
                    let n = p.uint()?;
                    p.eat_keyword(b"endobj").then_some(n as i64)
                })?
            }
            _ => None,
        },
        _ => None,
    };
    let Some(n) = n.and_then(|n| usize::try_from(n).ok()).filter(|n| *n <= MAX_OBJECT) else { return Ok(None) };
    let s = at.get(off + data_at as u64, n)?;
    let Some(data) = s.get(..n) else { return Ok(None) };
    Ok(Some(RawObject { body, stream: Some(data.to_vec()), old_xref }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A classic file: catalog, pages, one page with a big content stream.
    fn classic() -> Vec<u8> {
        let content = vec![b'x'; 300_000];
        let mut f = b"%PDF-1.4\n".to_vec();
        let mut offs = Vec::new();
        let mut obj = |f: &mut Vec<u8>, body: &[u8]| {
            offs.push(f.len());
            f.extend_from_slice(format!("{} 0 obj\n", offs.len()).as_bytes());
            f.extend_from_slice(body);
            f.extend_from_slice(b"\nendobj\n");
        };
        obj(&mut f, b"<</Type/Catalog/Pages 2 0 R>>");
        obj(&mut f, b"<</Type/Pages/Kids[3 0 R]/Count 1>>");
        obj(&mut f, b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]/Contents 4 0 R>>");
        let mut s = format!("<</Length {}>>\nstream\n", content.len()).into_bytes();
        s.extend_from_slice(&content);
        s.extend_from_slice(b"\nendstream");
        obj(&mut f, &s);
        let xref = f.len();
        f.extend_from_slice(b"xref\n0 5\n0000000000 65535 f \n");
        for o in &offs {
            f.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        f.extend_from_slice(format!("trailer\n<</Size 5/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n").as_bytes());
        f
    }

    #[test]
    fn leaves_stream_data_out_and_keeps_the_real_tail() {
        let f = classic();
        let c = load(&mut Cursor::new(&f)).unwrap().expect("compact");
        assert!(c.data.len() < 1000, "compact buffer is {} bytes", c.data.len());
        assert_eq!(c.original_len, f.len() as u64);
        assert!(c.ends_with_eol);
        assert_eq!(c.tail.size, 5);
        assert_eq!(c.tail.root, (1, 0));
        let pdf = hayro_syntax::Pdf::new(std::sync::Arc::new(c.data)).unwrap();
        assert_eq!(pdf.pages().len(), 1);
    }

    #[test]
    fn an_object_not_at_its_offset_needs_the_repairing_loader() {
        let mut f = classic();
        // Point object 2's entry one object off.
        let at = crate::tail::find(&f, b"0000000000 65535 f \n", 0).unwrap() + 40;
        f[at..at + 10].copy_from_slice(b"0000000009");
        assert!(load(&mut Cursor::new(&f)).unwrap().is_none());
    }

    #[test]
    fn a_huge_object_number_needs_the_repairing_loader() {
        let f = String::from_utf8(classic()).unwrap();
        // A free entry numbered 4e9: the compact xref would need a row for every number below.
        let f = f.replace("trailer", "4000000000 1\n0000000000 00000 f \ntrailer");
        assert!(load(&mut Cursor::new(f.as_bytes())).unwrap().is_none());
    }

    #[test]
    fn undoes_png_up_predictor() {
        // Row 1 filtered Up over zeros, row 2 Up over row 1 (with wrap-around).
        let enc = [2u8, 1, 2, 3, 2, 0, 255, 254];
        assert_eq!(unpredict_png(&enc, 3).unwrap(), vec![1, 2, 3, 1, 1, 1]);
    }
}

#[cfg(test)]
mod fixtures {
    use crate::document::Document;
    use std::io::Cursor;

    /// Every well-formed fixture loads compactly, and the compact document has the same pages
    /// (ids and frames), catalog and trailer facts as the layout-preserving load.
    #[test]
    fn fixtures_load_compactly_with_the_same_structure() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut compact = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("pdf") {
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let bytes = std::fs::read(&path).unwrap();
            let password = if name == "aes256-user.pdf" { "user-pw" } else { "" };
            let Ok(full) = Document::read(&mut Cursor::new(&bytes), password) else { continue };
            let c = super::load(&mut Cursor::new(&bytes)).unwrap();
            if c.is_none() {
                // Only files hayro has to repair may need the full loader.
                assert!(full.tail.recovered || name.contains("off-xref"), "{name}: compact load refused");
                continue;
            }
            let doc = Document::read_structure(&mut Cursor::new(&bytes), password).unwrap();
            assert!(doc.bytes().len() <= bytes.len(), "{name}");
            assert_eq!(doc.original_len(), bytes.len() as u64, "{name}");
            assert_eq!(doc.page_count(), full.page_count(), "{name}");
            for n in 1..=doc.page_count() {
                let (a, b) = (doc.page(n).unwrap(), full.page(n).unwrap());
                assert_eq!(a.id, b.id, "{name} page {n}");
                assert_eq!(format!("{:?}", a.frame), format!("{:?}", b.frame), "{name} page {n}");
            }
            assert_eq!(doc.catalog().unwrap(), full.catalog().unwrap(), "{name}");
            assert_eq!(format!("{:?}", doc.tail), format!("{:?}", full.tail), "{name}");
            assert_eq!(doc.crypt.is_some(), full.crypt.is_some(), "{name}");
            compact.push(name);
        }
        compact.sort();
        eprintln!("loaded compactly: {compact:?}");
        for must in ["contract.pdf", "hybrid.pdf", "objstm.pdf", "linearized.pdf", "aes256-objstm.pdf", "rc4-owner.pdf"]
        {
            assert!(compact.iter().any(|c| c == must), "{must} was not loaded compactly");
        }
    }
}

#[cfg(test)]
mod mangled {
    use std::io::Cursor;

    /// Corrupts the cross-reference end of real files (tables, xref streams with predictors,
    /// hybrid and linearized chains): the loader answers or declines, never panics or hangs.
    #[test]
    fn mangled_xref_sections_never_panic() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut state = 0x2545_f491_u32;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as usize
        };
        let mut declined = 0;
        for name in ["objstm.pdf", "hybrid.pdf", "linearized.pdf", "contract.pdf", "aes256-objstm.pdf"] {
            let base = std::fs::read(dir.join(name)).unwrap();
            let tail = base.len().saturating_sub(3000);
            for i in 0..400 {
                let mut d = base.clone();
                for _ in 0..1 + i % 4 {
                    let at = tail + next() % (d.len() - tail);
                    d[at] = next() as u8;
                }
                if i % 7 == 0 {
                    d.truncate(tail + next() % (d.len() - tail));
                }
                let loaded = super::load(&mut Cursor::new(&d)).unwrap();
                declined += usize::from(loaded.is_none());
                let _ = super::rewrite(&mut Cursor::new(&d)).unwrap();
            }
        }
        // Most corruptions of the xref end must be noticed (and left to the repairing loader).
        assert!(declined > 500, "only {declined} of 2000 mangled files were declined");
    }
}
