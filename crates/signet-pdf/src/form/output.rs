//! A fresh PDF file: objects numbered from 1, written with a classic cross-reference table.
//!
//! A template fill is a new document, not a revision of the template, so it is written whole:
//! the objects reachable from the template (and from appended PDF chunks) are copied over
//! with new numbers ([`Copier`]), unreachable and superseded objects are dropped, and nothing
//! of the template's history (earlier revisions, object streams, encryption) is carried.

use crate::document::{Document, convert_dict};
use crate::obj::{Dict, Obj, write_dict, write_obj};
use hayro_syntax::object::{Object, ObjectIdentifier};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;

enum Item {
    Plain(Obj),
    Stream(Dict, Vec<u8>),
}

/// Objects of the new file, by number (index + 1).
#[derive(Default)]
pub(crate) struct Output {
    objects: Vec<Option<Item>>,
}

/// A reference to an object of the output, written verbatim so that [`Copier::remap`] never
/// mistakes it for a reference of the source document.
pub(crate) fn out_ref(id: u32) -> Obj {
    Obj::Raw(format!("{id} 0 R").into_bytes())
}

impl Output {
    pub(crate) fn alloc(&mut self) -> u32 {
        self.objects.push(None);
        self.objects.len() as u32
    }
    pub(crate) fn put(&mut self, id: u32, obj: Obj) {
        self.objects[id as usize - 1] = Some(Item::Plain(obj));
    }
    pub(crate) fn put_stream(&mut self, id: u32, dict: Dict, data: Vec<u8>) {
        self.objects[id as usize - 1] = Some(Item::Stream(dict, data));
    }
    /// Adds a stream compressed with Flate (content streams, CMaps, font files).
    pub(crate) fn add_flate(&mut self, mut dict: Dict, data: &[u8]) -> u32 {
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = enc.write_all(data);
        let packed = enc.finish().unwrap_or_default();
        dict.set("Filter", Obj::name("FlateDecode"));
        let id = self.alloc();
        self.put_stream(id, dict, packed);
        id
    }
    pub(crate) fn add(&mut self, obj: Obj) -> u32 {
        let id = self.alloc();
        self.put(id, obj);
        id
    }

    /// Serializes the file; `root` is the catalog, `info` the optional document information.
    pub(crate) fn serialize(&self, root: u32, info: Option<u32>) -> Vec<u8> {
        let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::with_capacity(self.objects.len());
        for (i, item) in self.objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            match item {
                None => out.extend_from_slice(b"null"),
                Some(Item::Plain(o)) => write_obj(&mut out, o, None),
                Some(Item::Stream(d, data)) => {
                    let mut d = d.clone();
                    d.set("Length", Obj::Int(data.len() as i64));
                    write_dict(&mut out, &d, None);
                    out.extend_from_slice(b"\nstream\n");
                    out.extend_from_slice(data);
                    out.extend_from_slice(b"\nendstream");
                }
            }
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", self.objects.len() + 1).as_bytes());
        for off in offsets {
            out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        let id = Sha256::digest(&out)[..16].to_vec();
        let mut trailer = Dict::new()
            .with("Size", Obj::Int(self.objects.len() as i64 + 1))
            .with("Root", out_ref(root))
            .with("ID", Obj::Array(vec![Obj::Str(id.clone()), Obj::Str(id)]));
        if let Some(info) = info {
            trailer.set("Info", out_ref(info));
        }
        out.extend_from_slice(b"trailer\n");
        write_dict(&mut out, &trailer, None);
        out.extend_from_slice(format!("\nstartxref\n{xref}\n%%EOF\n").as_bytes());
        out
    }
}

/// Copies objects of one source document into the output, giving each a new number once.
pub(crate) struct Copier<'d> {
    src: &'d Document,
    map: HashMap<(u32, u16), u32>,
    queue: Vec<(u32, u16)>,
    /// Source objects replaced by the caller before copying (e.g. a filled field).
    overrides: HashMap<(u32, u16), Obj>,
}

impl<'d> Copier<'d> {
    pub(crate) fn new(src: &'d Document) -> Self {
        Self { src, map: HashMap::new(), queue: Vec::new(), overrides: HashMap::new() }
    }

    /// Gives `id` a number in the output without copying it (the caller writes it, e.g. pages).
    pub(crate) fn reserve(&mut self, out: &mut Output, id: (u32, u16)) -> u32 {
        *self.map.entry(id).or_insert_with(|| out.alloc())
    }

    /// Replaces the source object `id` by `obj` (still in source numbering) when copied.
    pub(crate) fn set_override(&mut self, id: (u32, u16), obj: Obj) {
        self.overrides.insert(id, obj);
    }

    /// Rewrites the references of `obj` into output numbers, queueing their targets.
    pub(crate) fn remap(&mut self, out: &mut Output, obj: &Obj) -> Obj {
        match obj {
            Obj::Ref(n, g) => {
                let id = (*n, *g);
                let new = match self.map.get(&id) {
                    Some(new) => *new,
                    None => {
                        // A dangling reference is null, as the spec says; do not copy it.
                        if !self.overrides.contains_key(&id) && self.src.pdf.xref().get::<Object<'_>>(oid(id)).is_none()
                        {
                            return Obj::Null;
                        }
                        let new = out.alloc();
                        self.map.insert(id, new);
                        self.queue.push(id);
                        new
                    }
                };
                out_ref(new)
            }
            Obj::Array(items) => Obj::Array(items.iter().map(|o| self.remap(out, o)).collect()),
            Obj::Dict(d) => Obj::Dict(self.remap_dict(out, d)),
            other => other.clone(),
        }
    }

    pub(crate) fn remap_dict(&mut self, out: &mut Output, d: &Dict) -> Dict {
        Dict(d.0.iter().map(|(k, v)| (k.clone(), self.remap(out, v))).collect())
    }

    /// Copies every queued object (and what it references) into the output.
    pub(crate) fn drain(&mut self, out: &mut Output) {
        while let Some(id) = self.queue.pop() {
            let new = self.map[&id];
            if let Some(obj) = self.overrides.get(&id).cloned() {
                let obj = self.remap(out, &obj);
                out.put(new, obj);
                continue;
            }
            match self.src.pdf.xref().get::<Object<'_>>(oid(id)) {
                Some(Object::Stream(s)) => {
                    let mut dict = convert_dict(s.dict());
                    dict.0.retain(|(k, _)| k != b"Length");
                    let dict = self.remap_dict(out, &dict);
                    out.put_stream(new, dict, s.raw_data().into_owned());
                }
                Some(o) => {
                    let obj = crate::document::convert(&o);
                    let obj = self.remap(out, &obj);
                    out.put(new, obj);
                }
                None => out.put(new, Obj::Null),
            }
        }
    }
}

fn oid(id: (u32, u16)) -> ObjectIdentifier {
    ObjectIdentifier::new(id.0, i32::from(id.1))
}
