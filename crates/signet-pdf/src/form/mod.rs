//! Templates: read a PDF's AcroForm text fields, fill them with a CJK font (appearance
//! streams over an embedded subset with ToUnicode), optionally flatten them into the page
//! content, and append pages (other PDFs' pages, or simple HTML laid out with the same font).
//!
//! The result is a new file written whole ([`output`]), not an incremental revision: a fill
//! makes a fresh document that will be signed later, and must not carry the template's
//! empty form or history. The template's objects are copied by reachability, so everything
//! a page uses (resources, annotations, structure) comes along with new numbers.

mod appearance;
mod fields;
mod flatten;
mod font;
mod html;
mod html_pages;
mod layout;
mod output;

pub use fields::{Align, TextField};

use crate::document::Document;
use crate::error::{PdfError, Result};
use crate::obj::{Dict, Obj, text_string};
use fields::FieldInfo;
use font::FontUse;
use output::{Copier, Output, out_ref};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Something to append after the template's pages.
#[derive(Debug, Clone)]
pub enum Chunk {
    /// HTML (headings, paragraphs, tables) laid out on A4 pages with the fill font.
    Html(String),
    /// Every page of another PDF, with its resources.
    Pdf(Vec<u8>),
}

/// What to fill.
#[derive(Debug, Clone, Copy)]
pub struct FillRequest<'a> {
    /// The template PDF.
    pub template: &'a [u8],
    /// Field name → value (`\n` breaks lines in multiline fields).
    pub values: &'a BTreeMap<String, String>,
    /// Pages to append, in order.
    pub append: &'a [Chunk],
    /// Draw the fields into the page content and remove them from the form.
    pub flatten: bool,
    /// An OpenType font (CFF or TrueType outlines) with the characters to draw.
    pub font: &'a [u8],
    /// Upper bound on appended pages (all chunks together).
    pub max_appended_pages: usize,
}

/// A filled document.
#[derive(Debug, Clone)]
pub struct Filled {
    /// The new PDF.
    pub pdf: Vec<u8>,
    /// Its page count.
    pub pages: usize,
    /// Pages appended after the template's.
    pub appended_pages: usize,
}

/// The text fields of a template (password fields excluded). [`PdfError::NoForm`] if none.
pub fn text_fields(pdf: &[u8]) -> Result<Vec<TextField>> {
    let doc = open(pdf)?;
    if fields::has_signature(&doc) {
        return Err(PdfError::InvalidRequest(
            "a signed PDF cannot be a template: filling it would break its signatures".into(),
        ));
    }
    Ok(fields::text_fields(&doc)?.into_iter().map(|f| f.public).collect())
}

fn open(pdf: &[u8]) -> Result<Document> {
    if !pdf.windows(5).take(1024).any(|w| w == b"%PDF-") {
        return Err(PdfError::NotPdf("no %PDF- header"));
    }
    let doc = Document::open(pdf.to_vec(), "")?;
    if doc.crypt.is_some() {
        return Err(PdfError::UnsupportedEncryption("an encrypted PDF cannot be used as a template or chunk".into()));
    }
    Ok(doc)
}

/// Fills, flattens and appends; returns a new PDF.
pub fn fill(req: &FillRequest<'_>) -> Result<Filled> {
    let doc = open(req.template)?;
    if fields::has_signature(&doc) {
        return Err(PdfError::InvalidRequest("the template is signed: filling it would break its signatures".into()));
    }
    let fields = match fields::text_fields(&doc) {
        Ok(f) => f,
        Err(PdfError::NoForm) if req.values.is_empty() => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut font = FontUse::new(req.font)?;
    check_values(&fields, req.values, &font)?;

    let mut out = Output::default();
    let font_id = out.alloc();
    let pages_root = out.alloc();
    let mut copier = Copier::new(&doc);

    // Appearance streams, and what flattening draws on each page.
    let mut draws: HashMap<usize, Vec<flatten::Draw>> = HashMap::new();
    let mut removed_widgets = HashSet::new();
    let mut removed_fields = HashSet::new();
    for field in &fields {
        let value = req.values.get(&field.public.name);
        let mut field_dict = doc.dict(field.id).unwrap_or_default();
        for w in &field.widgets {
            let ap = match value {
                Some(v) => Some(appearance_stream(&mut out, &mut font, field, w, v, font_id)?),
                None if req.flatten => flatten::existing_appearance(&doc, w.id)
                    .map(|(r, bbox, matrix)| (copier.remap(&mut out, &r), bbox, matrix)),
                None => None,
            };
            if req.flatten {
                if let Some((ap, bbox, matrix)) = ap {
                    draws.entry(w.page).or_default().push(flatten::Draw { xobject: ap, bbox, matrix, rect: w.rect });
                }
                removed_widgets.insert(w.id);
            } else if let Some((ap, _, _)) = ap {
                let mut wd = if w.id == field.id { field_dict.clone() } else { doc.dict(w.id).unwrap_or_default() };
                wd.set("AP", Obj::Dict(Dict::new().with("N", ap)));
                if w.id == field.id {
                    field_dict = wd;
                } else {
                    copier.set_override(w.id, Obj::Dict(wd));
                }
            }
        }
        if req.flatten {
            removed_fields.insert(field.id);
        } else if let Some(v) = value {
            field_dict.set("V", text_string(v));
            copier.set_override(field.id, Obj::Dict(field_dict));
        }
    }

    // The template's pages, then the appended ones, all under one new page tree.
    let mut kids = Vec::new();
    let page_ids: Vec<(u32, u16)> = (1..=doc.page_count()).map(|n| doc.page(n).map(|p| p.id)).collect::<Result<_>>()?;
    for id in &page_ids {
        copier.reserve(&mut out, *id);
    }
    for (i, id) in page_ids.iter().enumerate() {
        let mut page = flatten::page_dict(&doc, *id, out_ref(pages_root));
        if let Some(list) = draws.get(&(i + 1)) {
            flatten::draw_on_page(&doc, &mut out, &mut page, list, &removed_widgets)?;
        }
        let page = copier.remap_dict(&mut out, &page);
        let new = copier.reserve(&mut out, *id);
        out.put(new, Obj::Dict(page));
        kids.push(out_ref(new));
    }

    let catalog = catalog(&doc, &mut copier, &mut out, req.flatten, &removed_fields, font_id, pages_root)?;
    let root = out.add(catalog);
    let info = doc.tail.info.map(|(n, g)| copier.remap(&mut out, &Obj::Ref(n, g)));
    copier.drain(&mut out);
    let info = info.and_then(|i| match i {
        Obj::Raw(r) => std::str::from_utf8(&r).ok().and_then(|s| s.split(' ').next()?.parse().ok()),
        _ => None,
    });

    let appended = append_chunks(req, &mut out, &mut font, font_id, pages_root, &mut kids)?;
    let count = kids.len();
    out.put(
        pages_root,
        Obj::Dict(
            Dict::new()
                .with("Type", Obj::name("Pages"))
                .with("Kids", Obj::Array(kids))
                .with("Count", Obj::Int(count as i64)),
        ),
    );
    write_font(&mut out, font, font_id)?;
    Ok(Filled { pdf: out.serialize(root, info), pages: count, appended_pages: appended })
}

fn check_values(fields: &[FieldInfo], values: &BTreeMap<String, String>, font: &FontUse<'_>) -> Result<()> {
    for (name, value) in values {
        let field =
            fields.iter().find(|f| &f.public.name == name).ok_or_else(|| PdfError::UnknownField(name.clone()))?;
        let len = value.chars().count();
        if let Some(max_len) = field.public.max_len
            && len > max_len
        {
            return Err(PdfError::ValueTooLong { field: name.clone(), max_len, len });
        }
        if let Some(ch) = value.chars().find(|c| c.is_control() && *c != '\n' && *c != '\r' && *c != '\t') {
            return Err(PdfError::MissingGlyph { ch, code: u32::from(ch), context: format!("field {name}") });
        }
        layout::check_glyphs(font, value, &format!("field {name}"))?;
    }
    Ok(())
}

/// A form XObject drawing `value` in a widget of `rect`; returns (reference, bbox, matrix).
fn appearance_stream(
    out: &mut Output,
    font: &mut FontUse<'_>,
    field: &FieldInfo,
    widget: &fields::WidgetRef,
    value: &str,
    font_id: u32,
) -> Result<(Obj, [f64; 4], [f64; 6])> {
    let rect = widget.rect;
    let (w, h) = (rect[2] - rect[0], rect[3] - rect[1]);
    let value = value.replace("\r\n", "\n").replace('\r', "\n");
    let content = appearance::field_content(font, field, &widget.decoration, w, h, &value)?;
    let bbox = [0.0, 0.0, w, h];
    let dict = Dict::new()
        .with("Type", Obj::name("XObject"))
        .with("Subtype", Obj::name("Form"))
        .with("BBox", Obj::rect(bbox))
        .with("Resources", font_resources(font_id));
    let id = out.add_flate(dict, &content);
    Ok((out_ref(id), bbox, [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]))
}

fn font_resources(font_id: u32) -> Obj {
    Obj::Dict(Dict::new().with("Font", Obj::Dict(Dict::new().with(appearance::FONT_RES, out_ref(font_id)))))
}

/// The new catalog: the template's, with the new page tree and the form updated.
fn catalog(
    doc: &Document,
    copier: &mut Copier<'_>,
    out: &mut Output,
    flatten: bool,
    removed_fields: &HashSet<(u32, u16)>,
    font_id: u32,
    pages_root: u32,
) -> Result<Obj> {
    let mut cat = doc.catalog()?;
    // Signatures and their validation data do not survive a rewrite.
    cat.0.retain(|(k, _)| !matches!(k.as_slice(), b"Pages" | b"Perms" | b"DSS" | b"AcroForm"));
    cat.set("Pages", out_ref(pages_root));
    if let Some(mut form) = cat_form(doc)? {
        form.0.retain(|(k, _)| !matches!(k.as_slice(), b"XFA" | b"NeedAppearances"));
        let roots = form.get("Fields").and_then(|f| doc.resolve(f)).and_then(|f| f.as_array().map(<[Obj]>::to_vec));
        let roots = roots.unwrap_or_default();
        let kept = if flatten { flatten::prune_fields(doc, copier, &roots, removed_fields, 0) } else { roots };
        if !kept.is_empty() {
            form.set("Fields", Obj::Array(kept));
            let mut dr =
                form.get("DR").and_then(|d| doc.resolve(d)).and_then(|d| d.as_dict().cloned()).unwrap_or_default();
            let mut fonts =
                dr.get("Font").and_then(|d| doc.resolve(d)).and_then(|d| d.as_dict().cloned()).unwrap_or_default();
            fonts.set(appearance::FONT_RES, out_ref(font_id));
            dr.set("Font", Obj::Dict(fonts));
            form.set("DR", Obj::Dict(dr));
            let form = copier.remap_dict(out, &form);
            cat.set("AcroForm", Obj::Dict(form));
        }
    }
    Ok(Obj::Dict(copier.remap_dict(out, &cat)))
}

fn cat_form(doc: &Document) -> Result<Option<Dict>> {
    Ok(doc.catalog()?.get("AcroForm").and_then(|f| doc.resolve(f)).and_then(|f| f.as_dict().cloned()))
}

fn append_chunks(
    req: &FillRequest<'_>,
    out: &mut Output,
    font: &mut FontUse<'_>,
    font_id: u32,
    pages_root: u32,
    kids: &mut Vec<Obj>,
) -> Result<usize> {
    let mut appended = 0;
    for (i, chunk) in req.append.iter().enumerate() {
        let budget = req.max_appended_pages.saturating_sub(appended);
        match chunk {
            Chunk::Pdf(bytes) => {
                let doc = open(bytes)?;
                if doc.page_count() > budget {
                    return Err(PdfError::InvalidRequest(format!(
                        "the appended pages exceed the limit of {}",
                        req.max_appended_pages
                    )));
                }
                let mut copier = Copier::new(&doc);
                for n in 1..=doc.page_count() {
                    let id = doc.page(n)?.id;
                    let new = copier.reserve(out, id);
                    let mut page = flatten::page_dict(&doc, id, out_ref(pages_root));
                    page.0.retain(|(k, _)| !matches!(k.as_slice(), b"StructParents" | b"B" | b"Annots"));
                    let page = copier.remap_dict(out, &page);
                    out.put(new, Obj::Dict(page));
                    kids.push(out_ref(new));
                    appended += 1;
                }
                copier.drain(out);
            }
            Chunk::Html(html) => {
                let blocks = html::parse(html);
                let pages = html_pages::render(font, &blocks, &format!("html chunk {}", i + 1), budget)?;
                for content in pages {
                    let contents = out.add_flate(Dict::new(), &content);
                    let page = Dict::new()
                        .with("Type", Obj::name("Page"))
                        .with("Parent", out_ref(pages_root))
                        .with("MediaBox", Obj::rect([0.0, 0.0, html_pages::PAGE[0], html_pages::PAGE[1]]))
                        .with("Resources", font_resources(font_id))
                        .with("Contents", out_ref(contents));
                    kids.push(out_ref(out.add(Obj::Dict(page))));
                    appended += 1;
                }
            }
        }
    }
    Ok(appended)
}

fn write_font(out: &mut Output, font: FontUse<'_>, font_id: u32) -> Result<()> {
    let tag = font.subset_tag();
    let f = font.finish(&tag)?;
    let to_unicode = out.add_flate(Dict::new(), &f.to_unicode);
    let file = out.add_flate(f.file_dict, &f.file);
    let descriptor = out.add(Obj::Dict(f.descriptor.with(f.file_key, out_ref(file))));
    let cid = out.add(Obj::Dict(f.cid.with("FontDescriptor", out_ref(descriptor))));
    out.put(
        font_id,
        Obj::Dict(
            Dict::new()
                .with("Type", Obj::name("Font"))
                .with("Subtype", Obj::name("Type0"))
                .with("BaseFont", Obj::name(&f.base))
                .with("Encoding", Obj::name("Identity-H"))
                .with("DescendantFonts", Obj::Array(vec![out_ref(cid)]))
                .with("ToUnicode", out_ref(to_unicode)),
        ),
    );
    Ok(())
}
