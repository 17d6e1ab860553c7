//! The native REST API, version 1.

mod accounts;
mod app;
mod auth;
mod authorization_links;
mod events;
mod evidence;
mod external_ca;
mod files;
mod flows;
mod links;
mod seals;
mod templates;
mod verifications;

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::routes())
        .merge(app::routes())
        .merge(accounts::routes())
        .merge(external_ca::routes())
        .merge(files::routes())
        .merge(seals::routes())
        .merge(templates::routes())
        .merge(flows::routes())
        .merge(links::routes())
        .merge(evidence::routes())
        .merge(events::routes())
        .merge(verifications::routes())
        .merge(authorization_links::routes())
}

/// Distinguishes a field sent as `null` (`Some(None)`) from an absent one (`None`).
fn present<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    serde::Deserialize::deserialize(d).map(Some)
}
