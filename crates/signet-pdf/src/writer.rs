//! The incremental writer: one appended revision, in the xref style of the input.
//!
//! The original bytes are never touched. New and replaced objects are collected in memory
//! (they are small: a few dictionaries, an appearance and a seal image), serialized after the
//! original, followed by a cross-reference section of the same kind as the last one (table
//! or stream; a hybrid file gets a table), `/Prev` pointing to the old `startxref`, `/Size`
//! covering the new objects and `/ID [old0 new1]`. Strings and streams are encrypted with the
//! document key when the input is encrypted; the signature placeholders are written raw.

use crate::document::Document;
use crate::obj::{Dict, Obj, write_dict, write_obj};
use crate::tail::XrefKind;
use sha2::{Digest, Sha256};

/// Width reserved for the `/ByteRange` array: four 20-digit numbers fit (files over 4 GB too).
const BYTE_RANGE_WIDTH: usize = 88;

enum Body {
    Obj(Obj),
    Stream(Dict, Vec<u8>),
}

/// Where the signature placeholders ended up inside a serialized revision.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SigSlots {
    /// Absolute offset of the `/ByteRange` array's `[`.
    pub(crate) byte_range_at: u64,
    /// Absolute offset of the `<` of `/Contents`.
    pub(crate) contents_start: u64,
    /// Absolute offset just past the `>` of `/Contents`.
    pub(crate) contents_end: u64,
}

/// A serialized revision: the bytes to append after the original file.
pub(crate) struct Serialized {
    /// Bytes to append (starting with a newline if the original did not end with one).
    pub(crate) bytes: Vec<u8>,
    /// Absolute offset of `bytes[0]` in the output file.
    pub(crate) base: u64,
    pub(crate) sig: Option<SigSlots>,
}

/// The objects of the revision being built.
pub(crate) struct Revision<'d> {
    doc: &'d Document,
    next_id: u32,
    objects: Vec<((u32, u16), Body)>,
    sig_id: Option<u32>,
}

impl<'d> Revision<'d> {
    pub(crate) fn new(doc: &'d Document) -> Self {
        // New numbers start past every number in use: the trailer's /Size, hayro's table
        // (repaired files), and every `N G obj` header in the file (a wrong /Size must not make
        // us reuse a number).
        let max_header = crate::tail::object_headers(doc.bytes()).map(|(n, _)| n.saturating_add(1)).max();
        let next_id = doc.tail.size.max(doc.pdf.len() as u32).max(max_header.unwrap_or(0));
        Self { doc, next_id, objects: Vec::new(), sig_id: None }
    }

    pub(crate) fn doc(&self) -> &'d Document {
        self.doc
    }

    /// Reserves a new object number.
    pub(crate) fn alloc(&mut self) -> (u32, u16) {
        let id = self.next_id;
        self.next_id += 1;
        (id, 0)
    }

    /// The object this revision writes under `id`, if any (streams excluded).
    pub(crate) fn pending(&self, id: (u32, u16)) -> Option<&Obj> {
        self.objects.iter().find(|(i, _)| *i == id).and_then(|(_, b)| match b {
            Body::Obj(o) => Some(o),
            Body::Stream(..) => None,
        })
    }

    /// Writes (or replaces) an object.
    pub(crate) fn put(&mut self, id: (u32, u16), obj: Obj) {
        self.objects.retain(|(i, _)| *i != id);
        self.objects.push((id, Body::Obj(obj)));
    }

    /// Writes a stream; `/Length` is set here.
    pub(crate) fn put_stream(&mut self, id: (u32, u16), dict: Dict, data: Vec<u8>) {
        self.objects.retain(|(i, _)| *i != id);
        self.objects.push((id, Body::Stream(dict, data)));
    }

    /// Adds a new stream object and returns its reference.
    pub(crate) fn add_stream(&mut self, dict: Dict, data: Vec<u8>) -> Obj {
        let id = self.alloc();
        self.put_stream(id, dict, data);
        Obj::Ref(id.0, id.1)
    }

    /// Adds a new object and returns its reference.
    pub(crate) fn add(&mut self, obj: Obj) -> Obj {
        let id = self.alloc();
        self.put(id, obj);
        Obj::Ref(id.0, id.1)
    }

    /// Adds the signature dictionary: `/ByteRange` and `/Contents` placeholders are put first,
    /// so the first occurrence of each key in the object is ours.
    pub(crate) fn add_signature_dict(&mut self, rest: Dict, contents_capacity: usize) -> Obj {
        let mut d = Dict::new();
        let mut br = b"[0 0 0 0]".to_vec();
        br.resize(BYTE_RANGE_WIDTH, b' ');
        d.set("ByteRange", Obj::Raw(br));
        let mut contents = Vec::with_capacity(contents_capacity * 2 + 2);
        contents.push(b'<');
        contents.resize(contents_capacity * 2 + 1, b'0');
        contents.push(b'>');
        d.set("Contents", Obj::Raw(contents));
        for (k, v) in rest.0 {
            d.0.push((k, v));
        }
        let r = self.add(Obj::Dict(d));
        self.sig_id = r.as_ref().map(|(n, _)| n);
        r
    }

    /// Serializes the revision to append after the original bytes.
    pub(crate) fn serialize(&self) -> Serialized {
        let tail = &self.doc.tail;
        let needs_eol = !self.doc.ends_with_eol();
        let base = self.doc.original_len();
        let mut out = Vec::new();
        if needs_eol {
            out.push(b'\n');
        }
        let mut offsets: Vec<(u32, u16, u64)> = Vec::new();
        let mut sig = None;
        for (id, body) in &self.objects {
            let at = base + out.len() as u64 - tail.shift;
            offsets.push((id.0, id.1, at));
            out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
            match body {
                Body::Obj(o) => {
                    let key = self.doc.crypt.as_ref().map(|c| c.string_key(id.0, id.1));
                    let start = out.len();
                    write_obj(&mut out, o, key.as_ref());
                    if Some(id.0) == self.sig_id {
                        sig = sig_slots(&out[start..], base + start as u64);
                    }
                }
                Body::Stream(dict, data) => {
                    let key = self.doc.crypt.as_ref().map(|c| c.string_key(id.0, id.1));
                    let data = match &self.doc.crypt {
                        Some(c) => c.stream_key(id.0, id.1).encrypt(data),
                        None => data.clone(),
                    };
                    let mut d = dict.clone();
                    d.set("Length", Obj::Int(data.len() as i64));
                    write_dict(&mut out, &d, key.as_ref());
                    out.extend_from_slice(b"\nstream\n");
                    out.extend_from_slice(&data);
                    out.extend_from_slice(b"\nendstream");
                }
            }
            out.extend_from_slice(b"\nendobj\n");
        }

        let mut size = tail.size.max(self.next_id);
        let mut trailer = Dict::new();
        trailer.set("Root", Obj::Ref(tail.root.0, tail.root.1));
        if let Some(info) = tail.info {
            trailer.set("Info", Obj::Ref(info.0, info.1));
        }
        if let Some(enc) = &tail.encrypt {
            trailer.set("Encrypt", enc.clone());
        }
        match (&tail.id, &tail.encrypt, &tail.id_raw) {
            // The first part never changes: encryption keys are derived from it.
            (Some(id), _, _) => trailer.set("ID", Obj::Array(new_id(Some(id), &out))),
            // Encrypted without a usable /ID: the key was derived without one; keep it so.
            (None, Some(_), Some(raw)) => trailer.set("ID", raw.clone()),
            (None, Some(_), None) => {}
            (None, None, _) => trailer.set("ID", Obj::Array(new_id(None, &out))),
        }
        trailer.set("Prev", Obj::Int((tail.startxref - tail.shift) as i64));

        // Offsets written in xref data count from the header (see `Tail::shift`).
        let xref_at = base + out.len() as u64 - tail.shift;
        match tail.kind {
            XrefKind::Table | XrefKind::Hybrid => {
                offsets.sort_by_key(|o| o.0);
                out.extend_from_slice(b"xref\n");
                for run in runs(&offsets) {
                    out.extend_from_slice(format!("{} {}\n", run[0].0, run.len()).as_bytes());
                    for (_, g, at) in run {
                        out.extend_from_slice(format!("{at:010} {g:05} n\r\n").as_bytes());
                    }
                }
                trailer.0.insert(0, (b"Size".to_vec(), Obj::Int(i64::from(size))));
                out.extend_from_slice(b"trailer\n");
                write_dict(&mut out, &trailer, None);
                out.push(b'\n');
            }
            XrefKind::Stream => {
                let xref_id = size;
                size += 1;
                offsets.push((xref_id, 0, xref_at));
                offsets.sort_by_key(|o| o.0);
                let wide = xref_at > u64::from(u32::MAX);
                let ow = if wide { 8 } else { 4 };
                let mut data = Vec::new();
                let mut index = Vec::new();
                for run in runs(&offsets) {
                    index.push(Obj::Int(i64::from(run[0].0)));
                    index.push(Obj::Int(run.len() as i64));
                    for (_, g, at) in run {
                        data.push(1u8);
                        data.extend_from_slice(&at.to_be_bytes()[8 - ow..]);
                        data.extend_from_slice(&g.to_be_bytes());
                    }
                }
                let mut d = Dict::new()
                    .with("Type", Obj::name("XRef"))
                    .with("Size", Obj::Int(i64::from(size)))
                    .with("W", Obj::Array(vec![Obj::Int(1), Obj::Int(ow as i64), Obj::Int(2)]))
                    .with("Index", Obj::Array(index));
                for (k, v) in trailer.0 {
                    d.0.push((k, v));
                }
                d.set("Length", Obj::Int(data.len() as i64));
                out.extend_from_slice(format!("{xref_id} 0 obj\n").as_bytes());
                write_dict(&mut out, &d, None);
                out.extend_from_slice(b"\nstream\n");
                out.extend_from_slice(&data);
                out.extend_from_slice(b"\nendstream\nendobj\n");
            }
        }
        out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
        Serialized { bytes: out, base, sig }
    }
}

impl Serialized {
    /// Writes the final `/ByteRange` into its placeholder; returns the four numbers.
    pub(crate) fn fill_byte_range(&mut self) -> Option<[u64; 4]> {
        let s = self.sig?;
        let total = self.base + self.bytes.len() as u64;
        let br = [0, s.contents_start, s.contents_end, total - s.contents_end];
        let text = format!("[{} {} {} {}]", br[0], br[1], br[2], br[3]);
        let at = (s.byte_range_at - self.base) as usize;
        let slot = self.bytes.get_mut(at..at + BYTE_RANGE_WIDTH)?;
        if text.len() > slot.len() {
            return None;
        }
        slot.fill(b' ');
        slot[..text.len()].copy_from_slice(text.as_bytes());
        Some(br)
    }

    /// Writes the container as hex into the `/Contents` gap (zero padded).
    pub(crate) fn fill_contents(&mut self, der: &[u8]) -> bool {
        let Some(s) = self.sig else { return false };
        let start = (s.contents_start - self.base) as usize + 1;
        let end = (s.contents_end - self.base) as usize - 1;
        if der.len() * 2 > end - start {
            return false;
        }
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for (i, b) in der.iter().enumerate() {
            self.bytes[start + 2 * i] = HEX[(b >> 4) as usize];
            self.bytes[start + 2 * i + 1] = HEX[(b & 15) as usize];
        }
        true
    }

    /// The appended bytes outside the `/Contents` gap, in file order.
    pub(crate) fn signed_parts(&self) -> (&[u8], &[u8]) {
        match self.sig {
            Some(s) => {
                let a = (s.contents_start - self.base) as usize;
                let b = (s.contents_end - self.base) as usize;
                (&self.bytes[..a], &self.bytes[b..])
            }
            None => (&self.bytes, &[]),
        }
    }
}

fn sig_slots(obj: &[u8], at: u64) -> Option<SigSlots> {
    let br = crate::tail::find(obj, b"/ByteRange ", 0)? + 11;
    let c = crate::tail::find(obj, b"/Contents <", 0)? + 10;
    let end = crate::tail::find(obj, b">", c)? + 1;
    Some(SigSlots { byte_range_at: at + br as u64, contents_start: at + c as u64, contents_end: at + end as u64 })
}

/// Splits sorted offsets into runs of consecutive object numbers (xref subsections).
fn runs(offsets: &[(u32, u16, u64)]) -> Vec<&[(u32, u16, u64)]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=offsets.len() {
        if i == offsets.len() || offsets[i].0 != offsets[i - 1].0 + 1 {
            out.push(&offsets[start..i]);
            start = i;
        }
    }
    out
}

/// `/ID [old0 new1]`: the first part never changes (encryption keys depend on it).
fn new_id(old: Option<&[Vec<u8>; 2]>, revision: &[u8]) -> Vec<Obj> {
    let mut h = Sha256::new();
    h.update(revision);
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.update(t.as_nanos().to_le_bytes());
    }
    let fresh = h.finalize()[..16].to_vec();
    let first = old.map_or_else(|| fresh.clone(), |o| o[0].clone());
    vec![Obj::Str(first), Obj::Str(fresh)]
}
