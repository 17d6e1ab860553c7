//! The silent-sign authorization page (静默签授权): the account holder sees which seals the app
//! asks to use and for how long, proves willingness with an SMS code or a face check, and
//! grants. Granting creates the same authorization as `POST /v1/accounts/{id}/authorizations`.
//!
//! Actions (JSON, CSRF-checked): `POST /p/{token}/authorize/code` sends the code,
//! `POST /p/{token}/authorize/grant {code}` checks it and grants, `POST /p/{token}/authorize/face`
//! starts a face check and answers the provider's URL. The provider sends the browser back to
//! `GET /p/{token}/authorize/face/{key}?BizToken=…` (the key is fresh per check), which grants
//! when the check passed, or redirects to `GET /p/{token}/authorize/face-failed`: the page again
//! with the failure and the SMS code (so reloading or switching language repeats nothing). A
//! granted link is used up.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use minijinja::context;
use serde::Deserialize;
use serde_json::json;
use signet_core::Error;
use signet_core::authorization_links::{
    AuthorizationPage, FaceRefusal, FaceReturn, FaceStartError, UNTIL_REVOKED, WillingnessMode,
};
use signet_core::links::RateLimit;
use time::OffsetDateTime;

use super::error::{ActionError, ActionFailure, PageError, state_page};
use super::i18n::Lang;
use super::{LangQuery, PageContext, remember_lang, security, templates};
use crate::AppState;

/// Codes one link may send per hour (each send also waits 60 s after the previous one).
const CODE_SENDS: RateLimit = RateLimit { max: 10, window_seconds: 3600 };

/// This page's own texts, `(key, zh, en)`; the shared ones come from `t`.
const TEXTS: &[(&str, &str, &str)] = &[
    ("title", "静默签署授权", "Silent-signing authorization"),
    (
        "intro",
        "{app} 请求在您不逐次确认的情况下，使用以下印章代您签署合同（静默签署）。",
        "{app} asks to sign contracts on your behalf with the seals below, without asking you each time (silent signing).",
    ),
    ("account", "授权账户", "Account"),
    ("seals", "授权印章", "Seals"),
    ("all_seals", "全部印章（含今后新增的印章）", "All seals, including seals added later"),
    ("valid", "授权期限", "Valid"),
    ("until_revoked", "长期有效，直至撤销", "Until revoked"),
    ("until", "至 {date}", "Until {date}"),
    ("link_valid", "此链接有效期至 {date}", "This link works until {date}"),
    ("verify_sms", "短信验证码", "SMS code"),
    (
        "face_unavailable",
        "人脸核验暂不可用（本服务未配置人脸核验），请使用短信验证码完成授权。",
        "Face verification is not available on this service; confirm with an SMS code instead.",
    ),
    ("grant", "同意授权", "Grant authorization"),
    ("granting", "正在授权…", "Granting…"),
    ("granted_title", "授权成功", "Authorized"),
    (
        "granted",
        "授权成功：已允许对方使用上述印章静默签署。",
        "Authorized: the app may now sign silently with these seals.",
    ),
    ("used", "此授权链接已完成授权，无需再次操作。", "This authorization link was already used."),
    (
        "no_mobile",
        "您的账户没有手机号，无法接收验证码，请联系对方。",
        "Your account has no mobile number for codes. Contact the app.",
    ),
    (
        "no_seals",
        "授权的印章已不存在，请联系对方重新发起。",
        "The seals of this link no longer exist. Ask for a new link.",
    ),
    ("code_placeholder", "6 位数字", "6 digits"),
    ("verify_face", "人脸核验", "Face verification"),
    (
        "face_hint",
        "将跳转至人脸核验服务，完成后自动返回本页并完成授权。",
        "You will be taken to the face verification service and brought back here to finish.",
    ),
    ("face_start", "开始人脸核验", "Start face verification"),
    ("face_starting", "正在跳转…", "Redirecting…"),
    (
        "face_failed",
        "人脸核验未通过，未完成授权。您可以重新进行人脸核验，或使用短信验证码完成授权。",
        "Face verification did not pass; nothing was authorized. Try again, or confirm with an SMS code.",
    ),
    (
        "face_return_invalid",
        "人脸核验结果无效或已过期，未完成授权。请重新打开授权链接发起核验。",
        "This face verification result is not valid or has expired; nothing was authorized. Open the authorization link again to start over.",
    ),
    ("continue", "继续", "Continue"),
    ("face_not_offered", "此授权链接不支持人脸核验。", "This authorization link does not offer face verification."),
    (
        "face_no_agent",
        "企业的人脸核验由其经办人完成，该企业未设置经办人，请使用短信验证码完成授权。",
        "An organisation's face verification is its agent's, and this organisation has no agent; confirm with an SMS code instead.",
    ),
    (
        "face_agent_unfit",
        "该企业的经办人无法进行人脸核验，请使用短信验证码完成授权。",
        "The organisation's agent cannot take a face verification; confirm with an SMS code instead.",
    ),
    (
        "face_not_resident_id",
        "人脸核验仅支持居民身份证，请使用短信验证码完成授权。",
        "Face verification needs a mainland resident ID; confirm with an SMS code instead.",
    ),
];

/// Texts of this page in `lang`.
fn texts(lang: Lang) -> std::collections::BTreeMap<&'static str, &'static str> {
    TEXTS.iter().map(|(key, zh, en)| (*key, if lang == Lang::Zh { *zh } else { *en })).collect()
}

fn text(lang: Lang, key: &str) -> &'static str {
    TEXTS.iter().find(|(k, ..)| *k == key).map(|(_, zh, en)| if lang == Lang::Zh { *zh } else { *en }).unwrap_or("?")
}

/// `GET /p/{token}` for an authorization link.
pub async fn show(state: &AppState, context: PageContext, headers: &HeaderMap) -> Response {
    show_with(state, context, headers, false).await
}

/// The page, after a failed face check when `face_failed` (it then says so and offers SMS too).
async fn show_with(state: &AppState, context: PageContext, headers: &HeaderMap, face_failed: bool) -> Response {
    let lang = context.lang;
    if context.link.verified_at.is_some() && context.link.revoked_at.is_some() {
        return state_page(lang, StatusCode::GONE, text(lang, "granted_title"), text(lang, "used"));
    }
    if let Some(dead) = context.dead_page() {
        return dead;
    }
    let page = match state.signet.authorization_page(&context.token).await {
        Ok(page) => page,
        Err(err) => return PageError::new(lang, err).into_response(),
    };
    if !page.all_seals && page.seals.is_empty() {
        return state_page(lang, StatusCode::GONE, lang.t("state_title"), text(lang, "no_seals"));
    }
    let app_name = match state.signet.app(&page.link.app_id).await {
        Ok(app) => app.name,
        Err(err) => return PageError::new(lang, err).into_response(),
    };
    let mut seals = Vec::new();
    for seal in &page.seals {
        let image = match state.signet.seal_image(&page.link.app_id, seal.id.as_str()).await {
            Ok(png) => format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(&png)),
            Err(err) => return PageError::new(lang, err).into_response(),
        };
        seals.push(context! { name => seal.name.clone(), image });
    }
    let (nonce, set_cookie) = security::csrf_nonce_for(state, headers);
    let csrf = security::csrf_token(state, &page.link, &nonce);
    let at = texts(lang);
    let values = context! {
        title => at["title"],
        at,
        csrf,
        intro => text(lang, "intro").replace("{app}", &app_name),
        account_name => page.account.name.clone(),
        mobile => page.account.mobile.as_deref().map(signet_core::codes::mask_recipient),
        seals,
        all_seals => page.all_seals,
        valid => valid_text(lang, page.authorization_expires_at),
        link_valid => text(lang, "link_valid").replace("{date}", &date(page.link.expires_at)),
        // After a failed face check the SMS code is offered as well.
        sms => page.modes.contains(&WillingnessMode::Sms) || face_failed,
        face => page.modes.contains(&WillingnessMode::Face),
        face_failed,
        face_unavailable => page.unavailable_modes.contains(&WillingnessMode::Face),
        data => script_json(&json!({
            "codePath": format!("{}/authorize/code", context.path()),
            "grantPath": format!("{}/authorize/grant", context.path()),
            "facePath": format!("{}/authorize/face", context.path()),
            "texts": {
                "codeSentTo": lang.t("code_sent_to"),
                "resendIn": lang.t("resend_in"),
                "sendCode": lang.t("send_code"),
                "grant": text(lang, "grant"),
                "granting": text(lang, "granting"),
                "granted": text(lang, "granted"),
                "redirectIn": lang.t("redirect_in"),
                "codeNotSent": lang.t("code_not_sent"),
                "faceStart": text(lang, "face_start"),
                "faceStarting": text(lang, "face_starting"),
            },
        })),
    };
    let mut response = match templates::render("authorize.html", lang, values) {
        Ok(html) => html.into_response(),
        Err(err) => return PageError::new(lang, err).into_response(),
    };
    if let Some((name, value)) = set_cookie {
        response.headers_mut().append(name, value);
    }
    response
}

/// JSON safe to embed in a `<script type="application/json">` element (no `</script>` breakout).
fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

fn valid_text(lang: Lang, until: OffsetDateTime) -> String {
    if until >= UNTIL_REVOKED {
        text(lang, "until_revoked").to_owned()
    } else {
        text(lang, "until").replace("{date}", &date(until))
    }
}

/// `yyyy-MM-dd HH:mm` in China Standard Time.
fn date(at: OffsetDateTime) -> String {
    let local = at.to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        local.year(),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute()
    )
}

/// The link of an action request, after the CSRF check.
async fn action_page(
    state: &AppState,
    token: &str,
    lang: Lang,
    headers: &HeaderMap,
) -> Result<AuthorizationPage, ActionError> {
    let page = state.signet.authorization_page(token).await.map_err(|_| ActionError::new(lang, ActionFailure::Link))?;
    if !security::csrf_ok(state, &page.link, headers, None) {
        return Err(ActionError::new(lang, ActionFailure::Csrf));
    }
    if page.dead.is_some() {
        return Err(ActionError::new(lang, ActionFailure::Link));
    }
    Ok(page)
}

/// `POST /p/{token}/authorize/code`: sends the SMS code.
pub async fn send_code(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ActionError> {
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    let page = action_page(&state, &token, lang, &headers).await?;
    if page.account.mobile.is_none() {
        return Err(ActionError::new(lang, ActionFailure::Invalid(text(lang, "no_mobile").to_owned())));
    }
    let bucket = format!("pages:authorize-code:{}", page.link.id);
    state.signet.rate_check(&bucket, CODE_SENDS).await.map_err(|e| ActionError::new(lang, e))?;
    let sent = state.signet.send_authorization_code(&token).await.map_err(|e| ActionError::new(lang, e))?;
    let resend = (sent.resend_after - OffsetDateTime::now_utc()).whole_seconds().max(0);
    Ok(Json(json!({"recipient": sent.recipient_masked, "resendAfterSecs": resend})))
}

#[derive(Deserialize)]
pub struct GrantBody {
    code: String,
}

/// `POST /p/{token}/authorize/grant {code}`: checks the code and grants.
pub async fn grant(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, ActionError> {
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    action_page(&state, &token, lang, &headers).await?;
    let body: GrantBody = serde_json::from_slice(&body)
        .map_err(|_| ActionError::new(lang, ActionFailure::Invalid(lang.t("code_not_sent").to_owned())))?;
    let (authorization, page) =
        state.signet.grant_authorization_by_link(&token, &body.code).await.map_err(|e| ActionError::new(lang, e))?;
    Ok(Json(json!({
        "authorizationId": authorization.id.as_str(),
        "redirectUrl": page.link.redirect_url,
        "redirectDelaySecs": page.redirect_delay_secs,
    })))
}

/// `POST /p/{token}/authorize/face`: starts a face check; answers the provider's URL.
pub async fn start_face(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ActionError> {
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    let page = action_page(&state, &token, lang, &headers).await?;
    // Each start costs a provider call: the same budget as sending codes.
    let bucket = format!("pages:authorize-face:{}", page.link.id);
    state.signet.rate_check(&bucket, CODE_SENDS).await.map_err(|e| ActionError::new(lang, e))?;
    let base = format!("{}/p/{token}/authorize/face", state.public_url);
    let url = match state.signet.start_face_authorization(&token, |key| format!("{base}/{key}")).await {
        Ok(url) => url,
        Err(FaceStartError::Refused(refusal)) => {
            let key = match refusal {
                FaceRefusal::NotConfigured => "face_unavailable",
                FaceRefusal::NotOffered => "face_not_offered",
                FaceRefusal::NoAgent => "face_no_agent",
                FaceRefusal::AgentUnfit => "face_agent_unfit",
                FaceRefusal::NotResidentId => "face_not_resident_id",
            };
            return Err(ActionError::new(lang, Error::Conflict(text(lang, key).to_owned())));
        }
        Err(FaceStartError::Core(err)) => return Err(ActionError::new(lang, err)),
    };
    Ok(Json(json!({"url": url})))
}

/// `GET /p/{token}/authorize/face/{key}?BizToken=…`: the browser's return from the face check.
pub async fn face_return(
    State(state): State<AppState>,
    Path((token, key)): Path<(String, String)>,
    query: Result<Query<std::collections::HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::negotiate(None, &headers);
    let session_id = query.ok().and_then(|Query(q)| q.get("BizToken").cloned());
    let context = match PageContext::open(&state, token.clone(), lang).await {
        Ok(context) => context,
        Err(err) => return err.into_response(),
    };
    match state.signet.finish_face_authorization(&token, &key, session_id.as_deref()).await {
        Ok(FaceReturn::Granted(granted)) => {
            let (authorization, page) = *granted;
            let values = context! {
                title => text(lang, "granted_title"),
                at => texts(lang),
                message => text(lang, "granted"),
                authorization_id => authorization.id.as_str(),
                redirect_url => page.link.redirect_url,
                redirect_delay => page.redirect_delay_secs,
            };
            match templates::render("authorized.html", lang, values) {
                Ok(html) => html.into_response(),
                Err(err) => PageError::new(lang, err).into_response(),
            }
        }
        Ok(FaceReturn::Failed(_)) => Redirect::to(&format!("{}/authorize/face-failed", context.path())).into_response(),
        Err(Error::Forbidden(_)) => {
            state_page(lang, StatusCode::FORBIDDEN, lang.t("state_title"), text(lang, "face_return_invalid"))
        }
        // A used, replaced or expired link: its own state page.
        Err(Error::Conflict(_)) => show(&state, context, &headers).await,
        Err(err) => PageError::new(lang, err).into_response(),
    }
}

/// `GET /p/{token}/authorize/face-failed`: the page after a failed face check. It grants nothing
/// and says only that a check did not pass, so it needs no proof that one did.
pub async fn face_failed(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    let response = match PageContext::open(&state, token, lang).await {
        Ok(context) => show_with(&state, context, &headers, true).await,
        Err(err) => err.into_response(),
    };
    remember_lang(&state, &query, response)
}
