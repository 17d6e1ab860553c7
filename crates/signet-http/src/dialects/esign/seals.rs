//! `/seal/...`: template seals, image seals (uploaded first, named by `fileKey`), the list.

use axum::extract::State;
use serde_json::json;
use signet_core::SealSource;
use signet_core::esign::DownloadTarget;
use signet_seal::{CompanySealSpec, CompanyShape, InkColor, PersonalForm, PersonalSealSpec, UploadOptions};
use time::Duration;

use super::body::Body;
use super::error::{Context, EsignError};
use super::{Answer, Success, TsignApp, links};
use crate::AppState;

/// Every active seal of the account, the default first; `sealUrl` is valid 5 minutes.
pub(super) async fn query(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let id = body.account_id("accountId")?;
    let seals = state.signet.seals_of(&app.id, &id).await.map_err(|e| EsignError::from_core(e, Context::Seal))?;
    let list: Vec<_> = seals
        .into_iter()
        .map(|seal| {
            let url =
                links::download_url(&state, &app.id, &DownloadTarget::Seal(seal.id.clone()), Duration::minutes(5));
            json!({"sealId": seal.id.as_str(), "sealAlias": seal.name, "sealUrl": url, "isDefault": seal.is_default})
        })
        .collect();
    Ok(Success::data(json!(list)))
}

/// `width`/`height` are accepted and checked as numbers; template seals keep their template size.
pub(super) async fn create_person(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let id = body.account_id("accountId")?;
    let alias = body.string("alias")?;
    let form = PersonalForm::from_vendor_code(&body.string("templateType")?)
        .ok_or_else(|| EsignError::parameter("templateType", "expected SQUARE, RECTANGLE or BORDERLESS"))?;
    let color = color(&body)?;
    size(&body)?;
    let account = state.signet.account(&app.id, &id).await.map_err(|e| EsignError::from_core(e, Context::Seal))?;
    let text = body.opt_string("text")?.unwrap_or(account.name);
    let spec = PersonalSealSpec { form, color, ..PersonalSealSpec::new(text) };
    create(&state, &app.id, &id, &alias, SealSource::Person(spec)).await
}

pub(super) async fn create_org(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let id = body.account_id("accountId")?;
    let alias = body.string("alias")?;
    let (shape, star): (CompanyShape, bool) = CompanyShape::from_vendor_code(&body.string("templateType")?)
        .ok_or_else(|| {
            EsignError::parameter("templateType", "expected ROUND_STAR, ROUND_NONE, OVAL_STAR or OVAL_NONE")
        })?;
    let color = color(&body)?;
    size(&body)?;
    let account = state.signet.account(&app.id, &id).await.map_err(|e| EsignError::from_core(e, Context::Seal))?;
    let text = body.opt_string("text")?.unwrap_or(account.name);
    let spec = CompanySealSpec {
        shape,
        star,
        color,
        horizontal_text: body.opt_string("hText")?,
        bottom_text: body.opt_string("qText")?,
        ..CompanySealSpec::new(text)
    };
    create(&state, &app.id, &id, &alias, SealSource::Company(spec)).await
}

/// Person and organisation image seals alike: the PNG/JPEG uploaded under `fileKey`, recoloured
/// in `color`, drawn `width` pixels wide at 96 dpi when given.
pub(super) async fn create_image(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let id = body.account_id("accountId")?;
    let alias = body.string("alias")?;
    let color = color(&body)?;
    let (width, _) = size(&body)?;
    let key = body.string("fileKey")?;
    let (_, bytes) =
        state.signet.file_content(&app.id, &key).await.map_err(|e| EsignError::from_core(e, Context::File))?;
    let options = UploadOptions { recolor: Some(color), ..UploadOptions::default() };
    let width_mm = width.map(|px| px * 25.4 / 96.0);
    create(&state, &app.id, &id, &alias, SealSource::Image { bytes, options, width_mm }).await
}

async fn create(state: &AppState, app: &signet_core::ids::AppId, id: &str, alias: &str, source: SealSource) -> Answer {
    let seal = state
        .signet
        .create_seal(app, id, Some(alias), source, false)
        .await
        .map_err(|e| EsignError::from_core(e, Context::Seal))?;
    Ok(Success::data(json!({"sealId": seal.id.as_str(), "accountId": seal.account_id.as_str()})))
}

fn color(body: &Body) -> Result<InkColor, EsignError> {
    InkColor::from_vendor_code(&body.string("color")?)
        .ok_or_else(|| EsignError::parameter("color", "expected RED, BLUE or BLACK"))
}

fn size(body: &Body) -> Result<(Option<f64>, Option<f64>), EsignError> {
    let check = |field: &str| -> Result<Option<f64>, EsignError> {
        match body.opt_f64(field)? {
            Some(v) if !(1.0..=2000.0).contains(&v) => Err(EsignError::parameter(field, "expected 1 to 2000")),
            other => Ok(other),
        }
    };
    Ok((check("width")?, check("height")?))
}
