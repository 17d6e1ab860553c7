//! Signature fields, their widgets, page `/Annots` and the AcroForm.
//!
//! Several seals of one signature are ONE signature field with one widget per seal in
//! `/Kids` (ISO 32000 §12.7.4). That is the structure validators bind to the signature:
//! pyHanko's modification analysis accepts widgets of a new signature field in a later
//! revision (so the earlier signatures stay valid when a later signer stamps several
//! places, e.g. both parties' cross-page seals), whereas loose `/Stamp` annotations added
//! later are judged illegal modifications. Poppler (pdfsig 22.12) turns widget kids that
//! carry `/Parent` into child fields and reads `/V` on them without inheritance, reporting
//! each as an unsigned signature; so every kid also carries the field's `/V` (harmless for
//! readers that follow the spec: a widget's `/V` is not used). pdfsig then lists the same,
//! valid signature once per seal. A single seal (or an invisible signature) uses the usual
//! merged field-widget dictionary.

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
    let mut field = Dict::new().with("FT", Obj::name("Sig")).with("T", text_string(name)).with("V", sig.clone());
    let mut per_page: BTreeMap<(u32, u16), Vec<Obj>> = BTreeMap::new();
    match widgets {
        [] => return Err(PdfError::InvalidRequest("a signature needs a widget".into())),
        [single] => {
            let mut merged = widget_dict(single);
            merged.0.append(&mut field.0);
            rev.put(field_id, Obj::Dict(merged));
            per_page.entry(single.page_id).or_default().push(field_ref.clone());
        }
        _ => {
            let mut kids = Vec::new();
            for w in widgets {
                let d = widget_dict(w).with("Parent", field_ref.clone()).with("V", sig.clone());
                let r = rev.add(Obj::Dict(d));
                per_page.entry(w.page_id).or_default().push(r.clone());
                kids.push(r);
            }
            field.set("Kids", Obj::Array(kids));
            rev.put(field_id, Obj::Dict(field));
        }
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

/// True when any form field holds a signature value (a `/V` dictionary with `/ByteRange`).
pub(crate) fn has_signatures(doc: &Document) -> bool {
    let Ok(catalog) = doc.catalog() else { return false };
    if catalog.get("Perms").is_some() {
        return true;
    }
    let form = catalog.get("AcroForm").and_then(|f| doc.resolve(f));
    let fields = form.as_ref().and_then(Obj::as_dict).and_then(|f| f.get("Fields")).and_then(|f| doc.resolve(f));
    let mut stack: Vec<(Obj, usize)> =
        fields.as_ref().and_then(Obj::as_array).map(|a| a.iter().map(|f| (f.clone(), 0)).collect()).unwrap_or_default();
    let mut seen = 0usize;
    while let Some((f, depth)) = stack.pop() {
        seen += 1;
        if depth > 32 || seen > 100_000 {
            break;
        }
        let Some(Obj::Dict(d)) = doc.resolve(&f) else { continue };
        if let Some(Obj::Dict(v)) = d.get("V").and_then(|v| doc.resolve(v))
            && v.get("ByteRange").is_some()
        {
            return true;
        }
        if let Some(kids) = d.get("Kids").and_then(|k| doc.resolve(k)) {
            stack.extend(kids.as_array().unwrap_or_default().iter().map(|k| (k.clone(), depth + 1)));
        }
    }
    false
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

/// An existing widget: `(id, dict, page id, user-space rect)`.
pub(crate) type ExistingWidget = ((u32, u16), Dict, (u32, u16), [f64; 4]);

/// An unsigned signature field that is already in the document (a template's box).
pub(crate) struct EmptyField {
    pub(crate) id: (u32, u16),
    pub(crate) dict: Dict,
    /// Its single widget: `(id, dict, page id, user-space rect)`; the field itself when merged.
    pub(crate) widget: Option<ExistingWidget>,
}

/// Finds the field named `name`: `Ok(None)` when absent, an error when it exists but cannot
/// take a signature (signed already, or not a signature field).
pub(crate) fn find_empty_field(doc: &Document, name: &str) -> Result<Option<EmptyField>> {
    let Ok(catalog) = doc.catalog() else { return Ok(None) };
    let fields = catalog
        .get("AcroForm")
        .and_then(|f| doc.resolve(f))
        .and_then(|f| f.as_dict().and_then(|d| d.get("Fields").cloned()))
        .and_then(|f| doc.resolve(&f));
    let mut stack: Vec<(Obj, String, Option<Vec<u8>>, usize)> = fields
        .as_ref()
        .and_then(Obj::as_array)
        .map(|a| a.iter().map(|f| (f.clone(), String::new(), None, 0)).collect())
        .unwrap_or_default();
    while let Some((f, prefix, ft, depth)) = stack.pop() {
        if depth > 32 {
            break;
        }
        let Some(Obj::Dict(d)) = doc.resolve(&f) else { continue };
        let Some(Obj::Str(t)) = d.get("T") else { continue };
        let part = decode_text(t);
        let full = if prefix.is_empty() { part } else { format!("{prefix}.{part}") };
        let ft = d.get("FT").and_then(Obj::as_name).map(<[u8]>::to_vec).or(ft);
        if full == name {
            let taken = |why: &str| Err(PdfError::InvalidRequest(format!("the field {name} {why}")));
            if ft.as_deref() != Some(b"Sig") {
                return taken("exists and is not a signature field");
            }
            if d.get("V").is_some() {
                return taken("is already signed");
            }
            let Some(id) = f.as_ref() else { return taken("is not an indirect object") };
            let widget = if d.get("Subtype").and_then(Obj::as_name) == Some(b"Widget") {
                Some((id, d.clone()))
            } else {
                match d.get("Kids").and_then(|k| doc.resolve(k)).as_ref().and_then(Obj::as_array) {
                    Some([kid]) => kid.as_ref().and_then(|kid_id| Some((kid_id, doc.dict(kid_id)?))),
                    _ => None,
                }
            };
            let widget = widget.and_then(|(wid, wd)| {
                let rect: Vec<f64> = wd
                    .get("Rect")
                    .and_then(Obj::as_array)
                    .map(|r| r.iter().filter_map(Obj::as_number).collect())
                    .unwrap_or_default();
                let page = wd.get("P").and_then(Obj::as_ref).or_else(|| page_holding(doc, wid))?;
                match rect.as_slice() {
                    [a, b, c, e] => Some((wid, wd, page, crate::geometry::normalise([*a, *b, *c, *e]))),
                    _ => None,
                }
            });
            return Ok(Some(EmptyField { id, dict: d, widget }));
        }
        if let Some(kids) = d.get("Kids").and_then(|k| doc.resolve(k)) {
            for k in kids.as_array().unwrap_or_default() {
                stack.push((k.clone(), full.clone(), ft.clone(), depth + 1));
            }
        }
    }
    Ok(None)
}

/// The page whose `/Annots` lists `annot`.
fn page_holding(doc: &Document, annot: (u32, u16)) -> Option<(u32, u16)> {
    (1..=doc.page_count()).find_map(|n| {
        let page = doc.page(n).ok()?;
        let annots = doc.dict(page.id)?.get("Annots").and_then(|a| doc.resolve(a))?;
        annots.as_array()?.iter().any(|a| a.as_ref() == Some(annot)).then_some(page.id)
    })
}

/// Signs an existing empty field: `/V` on the field, the seal as its widget's appearance.
pub(crate) fn fill_empty_field(
    rev: &mut Revision<'_>,
    field: &EmptyField,
    sig: Obj,
    appearance: Option<Obj>,
) -> Result<()> {
    let doc = rev.doc();
    let mut f = field.dict.clone();
    f.set("V", sig);
    match (&field.widget, appearance) {
        (Some((wid, _, _, _)), Some(ap)) if *wid == field.id => {
            f.set("AP", Obj::Dict(Dict::new().with("N", ap)));
        }
        (Some((wid, wd, _, _)), Some(ap)) => {
            let mut w = wd.clone();
            w.set("AP", Obj::Dict(Dict::new().with("N", ap)));
            rev.put(*wid, Obj::Dict(w));
        }
        _ => {}
    }
    rev.put(field.id, Obj::Dict(f));
    ensure_sig_flags(rev, doc)
}

fn ensure_sig_flags(rev: &mut Revision<'_>, doc: &Document) -> Result<()> {
    let mut catalog = doc.catalog()?;
    match catalog.get("AcroForm").cloned() {
        Some(Obj::Ref(n, g)) => {
            let mut form = doc.dict((n, g)).unwrap_or_default();
            if form.get("SigFlags").and_then(Obj::as_int) != Some(3) {
                form.set("SigFlags", Obj::Int(3));
                rev.put((n, g), Obj::Dict(form));
            }
        }
        Some(Obj::Dict(mut form)) => {
            if form.get("SigFlags").and_then(Obj::as_int) != Some(3) {
                form.set("SigFlags", Obj::Int(3));
                catalog.set("AcroForm", Obj::Dict(form));
                rev.put(doc.tail.root, Obj::Dict(catalog));
            }
        }
        _ => return Err(PdfError::Malformed("the form of an existing field is missing".into())),
    }
    Ok(())
}
