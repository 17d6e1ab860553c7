//! The e签宝 open-service dialect (`/opentreaty-service`): every route `POST` with a JSON body,
//! authenticated by `X-Tsign-Open-App-Id` / `X-Tsign-Open-App-Secret`, answered with the
//! envelope `{errCode, msg, data}`. Each route translates its request into core commands; the
//! choices made where the vendor's document is unclear are listed in `docs/dialects/esign.md`.

mod accounts;
mod body;
pub mod error;
mod files;
mod flows;
mod links;
mod positions;
mod seals;
mod templates;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use signet_core::apps::App;

use self::error::{APP_UNKNOWN, Context, EsignError};
use crate::AppState;

/// Where the dialect is mounted: the service path of the vendor's base URLs.
pub const BASE: &str = "/opentreaty-service";

/// The dialect's routes, to be nested under [`BASE`].
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/file/uploadurl", post(files::upload_url))
        .route("/doc/createbyfilekey", post(files::create_doc))
        .route("/doc/downloadurl", post(files::doc_download_url))
        .route("/template/createbyfilekey", post(templates::create_template))
        .route("/doc/createbytemplate", post(templates::create_doc))
        .route("/account/create/person", post(accounts::create_person))
        .route("/account/create/organize/common", post(accounts::create_org))
        .route("/account/person/update", post(accounts::update_person))
        .route("/account/organize/update", post(accounts::update_org))
        .route("/account/platform/silentsign", post(accounts::silent_sign))
        .route("/account/platform/revokeSilentsign", post(accounts::revoke_silent_sign))
        .route("/account/idexchange", post(accounts::id_exchange))
        .route("/account/delete", post(accounts::delete))
        .route("/seal/query", post(seals::query))
        .route("/seal/create/person", post(seals::create_person))
        .route("/seal/create/organize", post(seals::create_org))
        .route("/seal/create/image/person", post(seals::create_image))
        .route("/seal/create/image/organize", post(seals::create_image))
        .route("/sign/contract/addProcess", post(flows::add_process_single))
        .route("/sign/contract/platformSignTask", post(flows::platform_task_single))
        .route("/sign/contract/userSignTask", post(flows::user_task_single))
        .route("/sign/contract/handPersonSignTask", post(flows::hand_task_single))
        .route("/sign/contract/handOrgSignTask", post(flows::hand_org_task_single))
        .route("/sign/contract/handSignTask", post(flows::hand_task_single))
        .route("/sign/contract/detail", post(flows::detail_single))
        .route("/sign/contracts/addProcess", post(flows::add_process_multi))
        .route("/sign/contracts/platformSignTask", post(flows::platform_task_multi))
        .route("/sign/contracts/userSignTask", post(flows::user_task_multi))
        .route("/sign/contracts/handPersonSignTask", post(flows::hand_task_multi))
        .route("/sign/contracts/handOrgSignTask", post(flows::hand_org_task_multi))
        .route("/sign/contracts/handSignTask", post(flows::hand_task_multi))
        .route("/sign/contracts/detail", post(flows::detail_multi))
        .route("/sign/contract/undoTask", post(flows::undo_task))
        .route("/sign/revoke", post(flows::revoke))
        .route("/sign/contract/archiveProcess", post(flows::archive))
        .route("/sign/download", post(flows::download))
        .route("/flow/get/viewurl", post(flows::view_url))
        .route("/links/{token}", get(links::download))
        .fallback(unsupported)
}

/// Paths the vendor's document does not have answer in the envelope.
async fn unsupported(uri: axum::http::Uri) -> EsignError {
    EsignError::parameter("path", format!("{} is not supported by this service", uri.path()))
}

/// The app named by `X-Tsign-Open-App-Id` and proven by `X-Tsign-Open-App-Secret`.
pub(crate) struct TsignApp(pub App);

impl FromRequestParts<AppState> for TsignApp {
    type Rejection = EsignError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
        let (Some(id), Some(secret)) = (header("x-tsign-open-app-id"), header("x-tsign-open-app-secret")) else {
            return Err(EsignError::new(
                APP_UNKNOWN,
                "项目不存在: X-Tsign-Open-App-Id and X-Tsign-Open-App-Secret headers are required",
            ));
        };
        match state.signet.esign_authenticate(id, secret).await {
            Ok(app) => Ok(Self(app)),
            // A disabled app is refused like an unknown one.
            Err(signet_core::Error::Forbidden(reason)) => {
                Err(EsignError::new(APP_UNKNOWN, format!("项目不存在: {reason}")))
            }
            Err(err) => Err(EsignError::from_core(err, Context::Account)),
        }
    }
}

/// A successful answer: `{errCode: 0, msg: "SUCCESS", data}` (no `data` when there is none).
pub(crate) struct Success(Option<Value>);

impl Success {
    pub fn data(data: Value) -> Self {
        Self(Some(data))
    }

    pub fn empty() -> Self {
        Self(None)
    }
}

impl IntoResponse for Success {
    fn into_response(self) -> Response {
        let body = match self.0 {
            Some(data) => json!({"errCode": 0, "msg": "SUCCESS", "data": data}),
            None => json!({"errCode": 0, "msg": "SUCCESS"}),
        };
        axum::Json(body).into_response()
    }
}

pub(crate) type Answer = Result<Success, EsignError>;

pub(crate) use signet_core::esign::format_time;
