//! Signing, document timestamps and DSS revisions: build one revision, reserve the
//! container, stream the signed ranges to the signer in one pass, embed, write.

use crate::api::{Appearance, ContainerSigner, DocMdp, Dss, SignOutcome, SignRequest, SubFilter, WidgetBox};
use crate::appearance::{LINE_HEIGHT, widget_appearance};
use crate::document::Document;
use crate::error::{PdfError, Result};
use crate::fields::{Widget, add_signature_field, field_names, fill_empty_field, find_empty_field, has_signatures};
use crate::image::{Encoded, encoded_seal};
use crate::obj::{Dict, Obj, text_string};
use crate::placement::{SealSize, WidgetSpec, resolve};
use crate::writer::{Revision, Serialized};
use sha2::{Digest, Sha256};
use std::io::{Read, Seek, SeekFrom, Write};
use std::time::SystemTime;

/// Default seal width when neither `--width` nor a PNG pHYs says otherwise.
pub const DEFAULT_SEAL_WIDTH_PT: f64 = 120.0;

/// Signs `input` into `output` with one appended revision.
///
/// The input is read twice: once to load its structure (large image data left out, so a
/// big scan does not become resident), once while the signer hashes it, and that same pass
/// copies it to `output` (then the revision is written). If the container comes back longer
/// than reserved, the revision is built again with room for it and only the hash pass is
/// repeated.
///
/// An unsigned hybrid-reference file (an xref table whose trailer has `/XRefStm`) is first
/// rewritten with one cross-reference section ([`SignOutcome::rewritten`]), since strict
/// validators refuse hybrid files; a hybrid file that is already signed is signed
/// incrementally like any other (a rewrite would break its signatures).
pub fn sign(
    input: impl Read + Seek,
    output: impl Write,
    request: &SignRequest,
    signer: &dyn ContainerSigner,
) -> Result<SignOutcome> {
    sign_with(input, output, request, None, signer)
}

/// Signs `input` as [`sign`] does, with a **certification** signature: the signature
/// dictionary carries a DocMDP `/Reference` with the permission level `level`, the catalog's
/// `/Perms /DocMDP` points to it and `/Extensions` declares ESIC (PAdES). A certification
/// signature must be the document's first: a document that is already signed is refused.
pub fn certify(
    input: impl Read + Seek,
    output: impl Write,
    request: &SignRequest,
    level: DocMdp,
    signer: &dyn ContainerSigner,
) -> Result<SignOutcome> {
    sign_with(input, output, request, Some(level), signer)
}

fn sign_with(
    mut input: impl Read + Seek,
    output: impl Write,
    request: &SignRequest,
    certify: Option<DocMdp>,
    signer: &dyn ContainerSigner,
) -> Result<SignOutcome> {
    let doc = open_for_signing(&mut input, request)?;
    if certify.is_some() && has_signatures(&doc) {
        return Err(PdfError::InvalidRequest(
            "the document is signed already: a certification signature must be the first".into(),
        ));
    }
    if doc.tail.hybrid
        && !has_signatures(&doc)
        && let Some(normalised) = crate::compact::rewrite(&mut input)?
    {
        drop(doc);
        let mut input = std::io::Cursor::new(normalised);
        let doc = open_for_signing(&mut input, request)?;
        let mut outcome = sign_document(&doc, input, output, request, certify, signer)?;
        outcome.rewritten = true;
        return Ok(outcome);
    }
    sign_document(&doc, input, output, request, certify, signer)
}

/// Only a keyword search reads page contents; everything else needs the structure alone.
fn open_for_signing(input: &mut (impl Read + Seek), request: &SignRequest) -> Result<Document> {
    let password = request.user_password.as_deref().unwrap_or("");
    let needs_text = request.placements.iter().any(|p| matches!(p, crate::api::Placement::Keyword { .. }));
    if needs_text { Document::read(input, password) } else { Document::read_structure(input, password) }
}

/// [`sign`] without the hybrid-file policy: one appended revision.
fn sign_document(
    doc: &Document,
    mut input: impl Read + Seek,
    mut output: impl Write,
    request: &SignRequest,
    certify: Option<DocMdp>,
    signer: &dyn ContainerSigner,
) -> Result<SignOutcome> {
    refuse_certified_no_changes(doc)?;
    // A named field that exists unsigned (a template's box) is signed in place.
    let existing = match request.field_name.as_deref() {
        Some(n) => find_empty_field(doc, n)?,
        None => None,
    };
    let fixed = match &existing {
        Some(_) if !request.placements.is_empty() => {
            return Err(PdfError::InvalidRequest(
                "the field exists already: its own box is used, give no placements".into(),
            ));
        }
        Some(f) => f.widget.as_ref().and_then(|(_, _, page_id, rect)| {
            let n = (1..=doc.page_count()).find(|n| doc.page(*n).is_ok_and(|p| p.id == *page_id))?;
            (rect[2] > rect[0] && rect[3] > rect[1]).then_some((n, *rect))
        }),
        None => None,
    };
    let plan = SealPlan::new(doc, &mut input, request, fixed)?;
    let name = match &existing {
        Some(_) => request.field_name.clone().unwrap_or_default(),
        None => pick_name(doc, request.field_name.as_deref())?,
    };
    let mut rest = signature_dict(signer.sub_filter(), request);
    if let Some(level) = certify {
        rest.set("Reference", Obj::Array(vec![docmdp_reference(level)]));
    }
    let build = |capacity: usize| -> Result<Serialized> {
        let mut rev = Revision::new(doc);
        let sig = rev.add_signature_dict(rest.clone(), capacity);
        let widgets = plan.widgets(&mut rev)?;
        match &existing {
            Some(field) => {
                let ap = widgets.into_iter().next().and_then(|w| w.appearance);
                fill_empty_field(&mut rev, field, sig.clone(), ap)?;
            }
            None => add_signature_field(&mut rev, &name, sig.clone(), &widgets)?,
        }
        if certify.is_some() {
            add_certification_perms(&mut rev, sig)?;
        }
        Ok(rev.serialize())
    };
    let (byte_range, container_len, reserved, written) = embed(doc, &mut input, &build, signer, &mut output)?;
    Ok(SignOutcome {
        field_name: name,
        byte_range,
        reserved,
        container_len,
        widgets: plan.boxes(),
        output_len: written,
        rewritten: false,
    })
}

/// Adds a document timestamp (`/Type /DocTimeStamp`, `ETSI.RFC3161`) in an invisible field.
/// `signer` must return a bare RFC 3161 TimeStampToken over the streamed bytes.
pub fn timestamp_document(
    mut input: impl Read + Seek,
    mut output: impl Write,
    field_name: Option<&str>,
    user_password: Option<&str>,
    signer: &dyn ContainerSigner,
) -> Result<SignOutcome> {
    let doc = Document::read_structure(&mut input, user_password.unwrap_or(""))?;
    let name = pick_name(&doc, field_name)?;
    let rest = Dict::new()
        .with("Type", Obj::name("DocTimeStamp"))
        .with("Filter", Obj::name("Adobe.PPKLite"))
        .with("SubFilter", Obj::name(SubFilter::Rfc3161.pdf_name()));
    let page = doc.page(1)?.id;
    let build = |capacity: usize| -> Result<Serialized> {
        let mut rev = Revision::new(&doc);
        let sig = rev.add_signature_dict(rest.clone(), capacity);
        let w = Widget { page_id: page, rect: [0.0; 4], appearance: None };
        add_signature_field(&mut rev, &name, sig, &[w])?;
        Ok(rev.serialize())
    };
    let (byte_range, container_len, reserved, written) = embed(&doc, &mut input, &build, signer, &mut output)?;
    Ok(SignOutcome {
        field_name: name,
        byte_range,
        reserved,
        container_len,
        widgets: Vec::new(),
        output_len: written,
        rewritten: false,
    })
}

/// Appends a DSS revision (ISO 32000-2 §12.8.4.3): certificates, OCSP responses and CRLs
/// as streams in `/DSS`, merged with an existing DSS. Returns the output length.
pub fn add_dss(
    mut input: impl Read + Seek,
    mut output: impl Write,
    dss: &Dss,
    user_password: Option<&str>,
) -> Result<u64> {
    let doc = Document::read_structure(&mut input, user_password.unwrap_or(""))?;
    let mut catalog = doc.catalog()?;
    let old = catalog.get("DSS").and_then(|d| doc.resolve(d)).and_then(|d| d.as_dict().cloned());
    let mut rev = Revision::new(&doc);
    let mut d = Dict::new().with("Type", Obj::name("DSS"));
    for (key, items) in [("Certs", &dss.certs), ("OCSPs", &dss.ocsps), ("CRLs", &dss.crls)] {
        let mut arr: Vec<Obj> = old
            .as_ref()
            .and_then(|o| o.get(key))
            .and_then(|a| doc.resolve(a))
            .and_then(|a| a.as_array().map(<[Obj]>::to_vec))
            .unwrap_or_default();
        for der in items {
            arr.push(rev.add_stream(Dict::new(), der.clone()));
        }
        if !arr.is_empty() {
            d.set(key, Obj::Array(arr));
        }
    }
    if let Some(vri) = old.as_ref().and_then(|o| o.get("VRI")) {
        d.set("VRI", vri.clone());
    }
    let dss_ref = rev.add(Obj::Dict(d));
    catalog.set("DSS", dss_ref);
    rev.put(doc.tail.root, Obj::Dict(catalog));
    let s = rev.serialize();
    input.seek(SeekFrom::Start(0))?;
    let copied = std::io::copy(&mut (&mut input).take(s.base), &mut output)?;
    if copied != s.base {
        return Err(PdfError::Io(std::io::ErrorKind::UnexpectedEof.into()));
    }
    output.write_all(&s.bytes)?;
    output.flush()?;
    Ok(s.base + s.bytes.len() as u64)
}

/// Builds, streams to the signer, embeds and writes. Returns (byte range, container length,
/// reserved bytes, output length).
fn embed(
    doc: &Document,
    input: &mut dyn ReadSeek,
    build: &dyn Fn(usize) -> Result<Serialized>,
    signer: &dyn ContainerSigner,
    output: &mut dyn Write,
) -> Result<([u64; 4], usize, usize, u64)> {
    let original_len = doc.original_len();
    let mut capacity = signer.max_container_len().max(64);
    let mut original_written = false;
    for attempt in 0..2 {
        let mut s = build(capacity)?;
        let br = s.fill_byte_range().ok_or_else(|| PdfError::Malformed("signature placeholder not found".into()))?;
        input.seek(SeekFrom::Start(0))?;
        let mut tee = Tee {
            inner: (&mut *input).take(original_len),
            out: (!original_written).then_some(&mut *output),
            written: 0,
            failed: None,
        };
        let der = {
            let (head, tail) = s.signed_parts();
            let mut reader = (&mut tee).chain(head).chain(tail);
            signer.sign(&mut reader).map_err(PdfError::Signer)
        };
        if let Some(e) = tee.failed.take() {
            return Err(PdfError::Io(e));
        }
        if !original_written {
            // The signer may stop early on error; complete the copy of the original bytes.
            let rest = std::io::copy(
                &mut tee.inner,
                tee.out.as_mut().map_or(&mut std::io::sink() as &mut dyn Write, |o| &mut **o),
            )?;
            if tee.written + rest != original_len {
                return Err(PdfError::Io(std::io::ErrorKind::UnexpectedEof.into()));
            }
            original_written = true;
        }
        let der = der?;
        if der.len() > capacity {
            if attempt == 0 {
                capacity = der.len() + der.len() / 8 + 64;
                continue;
            }
            return Err(PdfError::ContainerTooLarge { got: der.len(), reserved: capacity });
        }
        s.fill_contents(&der);
        output.write_all(&s.bytes)?;
        output.flush()?;
        return Ok((br, der.len(), capacity, s.base + s.bytes.len() as u64));
    }
    Err(PdfError::ContainerTooLarge { got: capacity, reserved: capacity })
}

/// `Read + Seek` as one object-safe trait.
trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// Copies what the signer reads to the output, so the original is read once for both.
struct Tee<'a, R> {
    inner: R,
    out: Option<&'a mut dyn Write>,
    written: u64,
    failed: Option<std::io::Error>,
}

impl<R: Read> Read for Tee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(out) = self.out.as_mut()
            && let Err(e) = out.write_all(&buf[..n])
        {
            let msg = e.to_string();
            self.failed = Some(e);
            return Err(std::io::Error::other(msg));
        }
        self.written += n as u64;
        Ok(n)
    }
}

/// The signature reference dictionary of a certification signature (ISO 32000-1 Table 253).
fn docmdp_reference(level: DocMdp) -> Obj {
    let params = Dict::new()
        .with("Type", Obj::name("TransformParams"))
        .with("P", Obj::Int(level as i64))
        .with("V", Obj::name("1.2"));
    Obj::Dict(
        Dict::new()
            .with("Type", Obj::name("SigRef"))
            .with("TransformMethod", Obj::name("DocMDP"))
            .with("TransformParams", Obj::Dict(params)),
    )
}

/// Points the catalog's `/Perms /DocMDP` at the signature and declares the ESIC extension
/// (PAdES structures in PDF 1.7, as pyHanko does), on top of what the revision already
/// changed in the catalog.
fn add_certification_perms(rev: &mut Revision<'_>, sig: Obj) -> Result<()> {
    let root = rev.doc().tail.root;
    let mut catalog = match rev.pending(root) {
        Some(Obj::Dict(d)) => d.clone(),
        _ => rev.doc().catalog()?,
    };
    catalog.set("Perms", Obj::Dict(Dict::new().with("DocMDP", sig)));
    let mut extensions = catalog
        .get("Extensions")
        .and_then(|e| rev.doc().resolve(e))
        .and_then(|e| e.as_dict().cloned())
        .unwrap_or_default();
    if extensions.get("ESIC").is_none() {
        extensions.set(
            "ESIC",
            Obj::Dict(Dict::new().with("BaseVersion", Obj::name("1.7")).with("ExtensionLevel", Obj::Int(1))),
        );
    }
    catalog.set("Extensions", Obj::Dict(extensions));
    rev.put(root, Obj::Dict(catalog));
    Ok(())
}

/// A document certified with DocMDP P=1 allows no further signatures (ISO 32000 §12.8.2.2).
fn refuse_certified_no_changes(doc: &Document) -> Result<()> {
    let catalog = doc.catalog()?;
    let sig = catalog
        .get("Perms")
        .and_then(|p| doc.resolve(p))
        .and_then(|p| p.as_dict().and_then(|d| d.get("DocMDP").cloned()))
        .and_then(|s| doc.resolve(&s));
    let p = sig
        .as_ref()
        .and_then(Obj::as_dict)
        .and_then(|d| d.get("Reference"))
        .and_then(|r| doc.resolve(r))
        .and_then(|r| r.as_array().map(<[Obj]>::to_vec))
        .unwrap_or_default()
        .iter()
        .filter_map(|r| doc.resolve(r))
        .filter_map(|r| r.as_dict().and_then(|d| d.get("TransformParams").cloned()))
        .filter_map(|t| doc.resolve(&t))
        .filter_map(|t| t.as_dict().and_then(|d| d.get("P")).and_then(Obj::as_int))
        .next();
    if p == Some(1) {
        return Err(PdfError::InvalidRequest("the document is certified with no changes allowed (DocMDP P=1)".into()));
    }
    Ok(())
}

fn signature_dict(sub_filter: SubFilter, req: &SignRequest) -> Dict {
    let mut d = Dict::new()
        .with("Type", Obj::name("Sig"))
        .with("Filter", Obj::name("Adobe.PPKLite"))
        .with("SubFilter", Obj::name(sub_filter.pdf_name()))
        .with("M", Obj::str(&pdf_date(req.signing_time)));
    if let Some(r) = &req.reason {
        d.set("Reason", text_string(r));
    }
    if let Some(l) = &req.location {
        d.set("Location", text_string(l));
    }
    if let Some(c) = &req.contact_info {
        d.set("ContactInfo", text_string(c));
    }
    d.set("Prop_Build", Obj::Dict(Dict::new().with("App", Obj::Dict(Dict::new().with("Name", Obj::name("Signet"))))));
    d
}

fn pick_name(doc: &Document, wanted: Option<&str>) -> Result<String> {
    let taken = field_names(doc);
    match wanted {
        Some(n) if n.is_empty() || n.contains('.') => {
            Err(PdfError::InvalidRequest("a field name must be non-empty and contain no '.'".into()))
        }
        Some(n) if taken.iter().any(|t| t == n) => {
            Err(PdfError::InvalidRequest(format!("a field named {n} already exists")))
        }
        Some(n) => Ok(n.to_string()),
        None => Ok((1..)
            .map(|i| format!("Signature{i}"))
            .find(|c| !taken.contains(c))
            .unwrap_or_else(|| "Signature".into())),
    }
}

/// The seal decided once (image decoded, placements resolved), drawn in every attempt.
struct SealPlan {
    image: Option<std::sync::Arc<Encoded>>,
    size: SealSize,
    specs: Vec<(WidgetSpec, (u32, u16), crate::geometry::PageFrame)>,
    lines: Vec<String>,
    first_page: (u32, u16),
}

impl SealPlan {
    /// `fixed`: an existing field's page and user-space box, used instead of placements.
    fn new(
        doc: &Document,
        input: &mut (impl Read + Seek),
        req: &SignRequest,
        fixed: Option<(usize, [f64; 4])>,
    ) -> Result<Self> {
        let first_page = doc.page(1)?.id;
        let Some(app) = req.appearance.as_ref().filter(|_| !req.placements.is_empty() || fixed.is_some()) else {
            return Ok(Self {
                image: None,
                size: SealSize { img_w: 0.0, img_h: 0.0, text_h: 0.0 },
                specs: Vec::new(),
                lines: Vec::new(),
                first_page,
            });
        };
        let image = encoded_seal(&app.image)?;
        let lines = text_lines(app, req.signing_time, input)?;
        let img_w = match app.width_pt {
            Some(w) if w > 0.0 && w.is_finite() => w,
            Some(_) => return Err(PdfError::InvalidRequest("the seal width must be positive".into())),
            None => image.physical_width_pt.unwrap_or(DEFAULT_SEAL_WIDTH_PT),
        };
        let size = SealSize {
            img_w,
            img_h: img_w * f64::from(image.height) / f64::from(image.width),
            text_h: lines.len() as f64 * LINE_HEIGHT,
        };
        let mut specs = Vec::new();
        let resolved = match fixed {
            Some((page, user_rect)) => vec![fit_into(doc, page, user_rect, size)?],
            None => resolve(doc, &req.placements, size)?,
        };
        for spec in resolved {
            let page = doc.page(spec.page)?;
            specs.push((spec, page.id, page.frame));
        }
        Ok(Self { image: Some(image), size, specs, lines, first_page })
    }

    fn widgets(&self, rev: &mut Revision<'_>) -> Result<Vec<Widget>> {
        let Some(image) = &self.image else {
            return Ok(vec![Widget { page_id: self.first_page, rect: [0.0; 4], appearance: None }]);
        };
        let (img_dict, img_data) = &image.image;
        let mut img_dict = img_dict.clone();
        if let Some((mask_dict, mask_data)) = &image.mask {
            let m = rev.add_stream(mask_dict.clone(), mask_data.clone());
            img_dict.set("SMask", m);
        }
        let img = rev.add_stream(img_dict, img_data.clone());
        let mut out = Vec::new();
        for (spec, page_id, frame) in &self.specs {
            let ap = widget_appearance(rev, spec, self.size, &img, &self.lines, frame.rotate);
            out.push(Widget { page_id: *page_id, rect: frame.rect_to_user(spec.rect), appearance: Some(ap) });
        }
        Ok(out)
    }

    fn boxes(&self) -> Vec<WidgetBox> {
        self.specs.iter().map(|(s, _, _)| WidgetBox { page: s.page, rect: s.rect }).collect()
    }
}

/// The seal fitted (aspect kept, centred) into an existing widget's box.
fn fit_into(doc: &Document, page: usize, user_rect: [f64; 4], size: SealSize) -> Result<WidgetSpec> {
    let frame = doc.page(page)?.frame;
    let r = frame.rect_to_visible(user_rect);
    let (rw, rh) = (r[2] - r[0], r[3] - r[1]);
    let scale = (rw / size.img_w).min(rh / (size.img_h + size.text_h));
    // The appearance covers the whole box (its /Rect is kept); the seal is centred in it.
    Ok(WidgetSpec { page, rect: r, scale, slice_offset: None })
}

fn text_lines(app: &Appearance, time: SystemTime, input: &mut (impl Read + Seek)) -> Result<Vec<String>> {
    let mut lines = Vec::new();
    if app.show_time {
        let (y, mo, d, h, mi, s) = civil(time);
        lines.push(format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} UTC"));
    }
    if app.show_digest {
        input.seek(SeekFrom::Start(0))?;
        let mut h = Sha256::new();
        std::io::copy(input, &mut HashWriter(&mut h))?;
        let digest = h.finalize();
        let hex: String = digest[..8].iter().map(|b| format!("{b:02X}")).collect();
        lines.push(format!("SHA-256 {hex}"));
    }
    Ok(lines)
}

struct HashWriter<'a>(&'a mut Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `D:YYYYMMDDHHmmSS+00'00'` in UTC.
pub(crate) fn pdf_date(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s) = civil(t);
    format!("D:{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}+00'00'")
}

/// UTC calendar fields of a time (days-from-civil inverse, proleptic Gregorian).
fn civil(t: SystemTime) -> (i64, u32, u32, u32, u32, u32) {
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, (rem / 3600) as u32, (rem % 3600 / 60) as u32, (rem % 60) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_pdf_dates() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_751_695);
        assert_eq!(pdf_date(t), "D:20251203084815+00'00'");
    }
}
