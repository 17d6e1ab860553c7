//! `signet serve`: the HTTP service.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use signet_core::{DeliveryPolicy, Signet};
use tokio::net::TcpListener;
use tracing::{info, warn};

use crate::callbacks::HttpCallbacks;

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
        let signet_for_worker = Arc::clone(&signet);
        // Without a configured public URL, links point at the address actually bound (port 0 included).
        let tls = tls_config(&settings)?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let public_url = match &settings.public_url {
            Some(_) => settings.public_url(),
            None => format!("{scheme}://{address}"),
        };
        let state = signet_http::AppState { signet, public_url: public_url.into() };
        let router = signet_http::router(state, &settings.http_config()?);
        info!(%address, scheme, "listening");
        // A plain line on stdout, so scripts and tests learn the bound address (port 0 picks one).
        println!("signet listening on {scheme}://{address}");

        let (stop, stopped) = tokio::sync::watch::channel(false);
        let transport = HttpCallbacks::new(settings.callback_allow_private)?;
        let policy = settings.delivery_policy()?;
        let interval = Duration::from_millis(settings.worker_interval_ms.max(50));
        let order_signer = tokio::spawn(run_order_signer(Arc::clone(&signet_for_worker), interval, stopped.clone()));
        let worker = tokio::spawn(run_worker(signet_for_worker, transport, policy, interval, stopped));

        match tls {
            Some(config) => {
                let listener = crate::tls::TlsListener::new(listener, config)?;
                let router = router.layer(axum::middleware::from_fn(crate::tls::attach_client_certificate));
                let service = router.into_make_service_with_connect_info::<crate::tls::PeerCertificate>();
                axum::serve(listener, service).with_graceful_shutdown(shutdown_signal()).await?;
            }
            None => axum::serve(listener, router).with_graceful_shutdown(shutdown_signal()).await?,
        }
        info!("shutting down");
        let _ = stop.send(true);
        let _ = worker.await;
        let _ = order_signer.await;
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

/// The background worker of every node: delivers due callbacks and expires overdue flows until
/// told to stop. Several nodes can run it at once (claims are leased in the database).
async fn run_worker(
    signet: Arc<Signet>,
    transport: HttpCallbacks,
    policy: DeliveryPolicy,
    interval: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut ticks: u64 = 0;
    loop {
        if let Err(err) = signet.deliver_due_callbacks(&transport, &policy).await {
            warn!(error = %err, "callback delivery pass failed");
        }
        if ticks.is_multiple_of(10)
            && let Err(err) = signet.expire_due_flows().await
        {
            warn!(error = %err, "flow expiry pass failed");
        }
        ticks += 1;
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Signs WoSignDoc orders in the background, on its own task so that long signings never hold
/// up callback delivery. Orders are leased in the database, so every node can run it.
async fn run_order_signer(signet: Arc<Signet>, interval: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        if let Err(err) = signet.wosign_drive_orders().await {
            warn!(error = %err, "WoSignDoc signing pass failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = stop.changed() => return,
        }
    }
}

/// The TLS configuration when `tls_cert` is set; a client CA without TLS is refused (the
/// certificate could not be checked, and `/wosign` would refuse every request).
fn tls_config(settings: &Settings) -> anyhow::Result<Option<Arc<rustls::ServerConfig>>> {
    match (&settings.tls_cert, &settings.tls_key) {
        (Some(cert), Some(key)) => {
            let client_ca = settings.wosign_client_ca.as_deref().map(std::path::Path::new);
            crate::tls::server_config(std::path::Path::new(cert), std::path::Path::new(key), client_ca).map(Some)
        }
        (None, None) if settings.wosign_client_ca.is_some() => anyhow::bail!(
            "wosign_client_ca needs tls_cert and tls_key: client certificates are checked where TLS ends \
             (behind a TLS proxy, let the proxy check them and leave wosign_client_ca unset)"
        ),
        (None, None) => Ok(None),
        _ => anyhow::bail!("tls_cert and tls_key go together"),
    }
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
