//! Outgoing callbacks over HTTP, guarded against server-side request forgery.
//!
//! A callback URL is chosen by a tenant, so a plain client could be aimed at the deployment's
//! own network (metadata services, databases, admin ports). Names are resolved by
//! [`PublicOnlyResolver`], which drops loopback, private, link-local and other non-public
//! addresses *after* resolution, so a DNS record changed between check and use cannot slip
//! through; IP-literal hosts, which skip the resolver, are checked before sending.
//! On-premise deployments and tests can allow private targets explicitly.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use signet_core::{CallbackReply, CallbackTransport, Error, Result};

/// How much of a receiver's answer is read.
const REPLY_BYTES: usize = 1024;

/// Posts callbacks with `reqwest`.
pub struct HttpCallbacks {
    client: reqwest::Client,
    allow_private: bool,
}

impl HttpCallbacks {
    pub fn new(allow_private: bool) -> anyhow::Result<Self> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("signet/", env!("CARGO_PKG_VERSION")));
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnlyResolver));
        }
        Ok(Self { client: builder.build()?, allow_private })
    }
}

#[async_trait]
impl CallbackTransport for HttpCallbacks {
    async fn post(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &str,
        timeout: Duration,
    ) -> Result<CallbackReply> {
        let parsed = reqwest::Url::parse(url).map_err(|e| Error::invalid("callbackUrl", e.to_string()))?;
        if !self.allow_private {
            let literal = match parsed.host() {
                Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
                Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
                _ => None,
            };
            if literal.is_some_and(|ip| !is_public(ip)) {
                return Err(Error::Forbidden(format!("callback target {url} is not a public address")));
            }
        }
        let mut request = self.client.post(parsed).timeout(timeout).body(body.to_owned());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let failed = |e: reqwest::Error| Error::Internal(format!("callback to {url} failed: {e}"));
        let mut response = request.send().await.map_err(failed)?;
        let status = response.status().as_u16();
        // Only the start of the answer matters (an acknowledgement such as `1`); never read more.
        let mut head = Vec::new();
        while head.len() < REPLY_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => head.extend_from_slice(&chunk),
                Ok(None) | Err(_) => break,
            }
        }
        head.truncate(REPLY_BYTES);
        Ok(CallbackReply { status, body: String::from_utf8_lossy(&head).into_owned() })
    }
}

/// Resolves names and keeps only public addresses.
struct PublicOnlyResolver;

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = resolved.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                let err: Box<dyn std::error::Error + Send + Sync> =
                    format!("{host} resolves to no public address (set callback_allow_private for on-premise targets)")
                        .into();
                return Err(err);
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// Whether an address is reachable on the public internet (not loopback, private, link-local,
/// shared, documentation, multicast, unspecified or an IPv4-mapped form of those).
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_pass() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn loopback_targets_are_refused_unless_allowed() {
        let strict = HttpCallbacks::new(false).unwrap();
        let err = strict.post("http://127.0.0.1:9/hook", &[], "{}", Duration::from_secs(1)).await.unwrap_err();
        assert!(matches!(err, Error::Forbidden(_)));
        let err = strict.post("http://localhost:9/hook", &[], "{}", Duration::from_secs(1)).await.unwrap_err();
        assert!(err.to_string().contains("failed"), "{err}");
    }
}
