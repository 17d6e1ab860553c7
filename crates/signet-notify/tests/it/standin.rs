//! Serving an axum router on a loopback port for the vendor stand-ins.

use std::net::SocketAddr;

pub async fn serve(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        axum::serve(listener, router).await.expect("stand-in server");
    });
    addr
}
