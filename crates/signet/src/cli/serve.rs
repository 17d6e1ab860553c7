//! `signet serve`: the HTTP service.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;
use tracing::info;

use crate::runtime::{self, Runtime};
use crate::settings::Settings;
use crate::telemetry;

pub(super) fn run(settings: Settings) -> anyhow::Result<ExitCode> {
    telemetry::init(&settings)?;
    runtime::block_on(async move {
        let Runtime { signet, store } = Runtime::open(&settings).await?;
        let signet = Arc::new(signet);
        runtime::bootstrap_app(&signet, &settings).await?;

        let listener = TcpListener::bind(&settings.listen)
            .await
            .with_context(|| format!("failed to listen on {}", settings.listen))?;
        let address = listener.local_addr()?;
        let state = signet_http::AppState { signet };
        let router = signet_http::router(state, &settings.http_config());
        info!(%address, "listening");
        // A plain line on stdout, so scripts and tests learn the bound address (port 0 picks one).
        println!("signet listening on http://{address}");

        axum::serve(listener, router).with_graceful_shutdown(shutdown_signal()).await?;
        info!("shutting down");
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

/// Resolves on ctrl-c or SIGTERM; in-flight requests then finish before the process exits.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
