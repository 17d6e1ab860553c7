//! Signature fields, their widget, extra seals, page `/Annots` and the AcroForm.
//!
//! The first seal is the signature field's own (merged) widget. Every further seal of the
//! same signature is a locked `/Stamp` annotation with the same appearance, written in the
//! same revision, so the one signature covers all of them. We do not use one field with
//! several widgets in `/Kids`, although ISO 32000 allows it: poppler (pdfsig 22.12, one of our
//! referees) does not bind widget kids to their signature field and reports each of them as
//! a separate unsigned signature (the same family of bug as poppler work item 1684 and
//! pdf.js PR 21575), and Acrobat is only known to handle a single child. Stamps are shown by
//! every viewer, printed (/F Print), and locked (ReadOnly, Locked, LockedContents) so
//! viewers do not let users move or edit them.

use crate::document::Document;
use crate::error::{PdfError, Result};
use crate::obj::{Dict, Obj, text_string};
use crate::writer::Revision;
use std::collections::BTreeMap;

/// A widget to attach: page object, user-space rectangle, normal appearance.
pub(crate) struct Widget {
    pub(crate) page_id: (u32, u16),
    pub(crate) rect: [f64; 4],
    pub(crate) appearance: Option<Obj>,
}

/// Writes the field (and widgets), adds them to page `/Annots` and the AcroForm.
pub(crate) fn add_signature_field(rev: &mut Revision<'_>, name: &str, sig: Obj, widgets: &[Widget]) -> Result<()> {
    let doc = rev.doc();
    let field_id = rev.alloc();
    let field_ref = Obj::Ref(field_id.0, field_id.1);
    let widget_dict = |w: &Widget| {
        let mut d = Dict::new()
            .with("Type", Obj::name("Annot"))
            .with("Subtype", Obj::name("Widget"))
            .with("Rect", Obj::rect(w.rect))
            .with("F", Obj::Int(132))
            .with("P", Obj::Ref(w.page_id.0, w.page_id.1));
        if let Some(ap) = &w.appearance {
            d.set("AP", Obj::Dict(Dict::new().with("N", ap.clone())));
        }
        d
    };
    let mut field = Dict::new().with("FT", Obj::name("Sig")).with("T", text_string(name)).with("V", sig);
    let mut per_page: BTreeMap<(u32, u16), Vec<Obj>> = BTreeMap::new();
    let (first, extra) =
        widgets.split_first().ok_or_else(|| PdfError::InvalidRequest("a signature needs a widget".into()))?;
    let mut merged = widget_dict(first);
    merged.0.append(&mut field.0);
    rev.put(field_id, Obj::Dict(merged));
    per_page.entry(first.page_id).or_default().push(field_ref.clone());
    for (i, w) in extra.iter().enumerate() {
        let mut d = widget_dict(w);
        d.set("Subtype", Obj::name("Stamp"));
        d.set("F", Obj::Int(4 | 64 | 128 | 512));
        d.set("NM", text_string(&format!("{name}-seal-{}", i + 2)));
        d.set("Contents", text_string(&format!("Seal of signature {name}")));
        let r = rev.add(Obj::Dict(d));
        per_page.entry(w.page_id).or_default().push(r);
    }
    for (page_id, refs) in per_page {
        add_annots(rev, doc, page_id, refs)?;
    }
    add_to_acroform(rev, doc, field_ref)
}

fn add_annots(rev: &mut Revision<'_>, doc: &Document, page_id: (u32, u16), refs: Vec<Obj>) -> Result<()> {
    let mut page = doc.dict(page_id).ok_or_else(|| PdfError::Malformed("a page object cannot be read".into()))?;
    match page.get("Annots").cloned() {
        Some(Obj::Ref(n, g)) if doc.object((n, g)).as_ref().and_then(Obj::as_array).is_some() => {
            // An indirect /Annots array is updated in place; the page stays untouched.
            let mut arr = doc.object((n, g)).and_then(|o| o.as_array().map(<[Obj]>::to_vec)).unwrap_or_default();
            arr.extend(refs);
            rev.put((n, g), Obj::Array(arr));
        }
        Some(Obj::Array(mut arr)) => {
            arr.extend(refs);
            page.set("Annots", Obj::Array(arr));
            rev.put(page_id, Obj::Dict(page));
        }
        _ => {
            page.set("Annots", Obj::Array(refs));
            rev.put(page_id, Obj::Dict(page));
        }
    }
    Ok(())
}

fn add_to_acroform(rev: &mut Revision<'_>, doc: &Document, field: Obj) -> Result<()> {
    let mut catalog = doc.catalog()?;
    let (mut form, slot) = match catalog.get("AcroForm").cloned() {
        Some(Obj::Ref(n, g)) => (doc.dict((n, g)).unwrap_or_default(), Some((n, g))),
        Some(Obj::Dict(d)) => (d, None),
        _ => (Dict::new(), None),
    };
    let mut fields = form
        .get("Fields")
        .and_then(|f| doc.resolve(f))
        .and_then(|f| f.as_array().map(<[Obj]>::to_vec))
        .unwrap_or_default();
    fields.push(field);
    form.set("Fields", Obj::Array(fields));
    form.set("SigFlags", Obj::Int(3));
    match slot {
        Some(id) => rev.put(id, Obj::Dict(form)),
        None => {
            let r = rev.add(Obj::Dict(form));
            catalog.set("AcroForm", r);
            rev.put(doc.tail.root, Obj::Dict(catalog));
        }
    }
    Ok(())
}

/// Fully qualified names of the existing form fields (to pick a free default name).
pub(crate) fn field_names(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(catalog) = doc.catalog() else {
        return out;
    };
    let form = catalog.get("AcroForm").and_then(|f| doc.resolve(f));
    let fields = form.as_ref().and_then(Obj::as_dict).and_then(|f| f.get("Fields")).and_then(|f| doc.resolve(f));
    let mut stack: Vec<(Obj, String, usize)> = fields
        .as_ref()
        .and_then(Obj::as_array)
        .map(|a| a.iter().map(|f| (f.clone(), String::new(), 0)).collect())
        .unwrap_or_default();
    while let Some((f, prefix, depth)) = stack.pop() {
        if depth > 32 || out.len() > 100_000 {
            break;
        }
        let Some(Obj::Dict(d)) = doc.resolve(&f) else { continue };
        let name = match d.get("T") {
            Some(Obj::Str(s)) => {
                let part = decode_text(s);
                if prefix.is_empty() { part } else { format!("{prefix}.{part}") }
            }
            _ => prefix.clone(),
        };
        if !name.is_empty() {
            out.push(name.clone());
        }
        if let Some(kids) = d.get("Kids").and_then(|k| doc.resolve(k)) {
            for k in kids.as_array().unwrap_or_default() {
                stack.push((k.clone(), name.clone(), depth + 1));
            }
        }
    }
    out
}

/// Decodes a PDF text string (UTF-16BE with BOM, or PDFDocEncoding read as Latin-1).
pub(crate) fn decode_text(s: &[u8]) -> String {
    if let Some(rest) = s.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    } else if let Some(rest) = s.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        s.iter().map(|&b| b as char).collect()
    }
}
