//! The native REST API, version 1.

mod app;
mod auth;

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().merge(auth::routes()).merge(app::routes())
}
