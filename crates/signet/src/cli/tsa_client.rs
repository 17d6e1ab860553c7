//! An RFC 3161 client for `--tsa URL`: HTTP POST of a TimeStampReq, optional basic auth.

use std::time::Duration;

use anyhow::{Context, bail};
use signet_pki::{DigestAlgorithm, PkiError, TimestampSource, build_timestamp_request, parse_timestamp_response};

/// A time-stamping authority reached over HTTP.
pub struct HttpTsa {
    url: reqwest::Url,
    credentials: Option<(String, String)>,
    client: reqwest::blocking::Client,
}

impl HttpTsa {
    /// `url` may carry `user:password@`; explicit `user`/`password` take precedence.
    pub fn new(url: &str, user: Option<&str>, password: Option<&str>) -> anyhow::Result<Self> {
        let mut url = reqwest::Url::parse(url).with_context(|| format!("--tsa {url:?} is not a URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            bail!("--tsa must be an http:// or https:// URL");
        }
        let from_url = (!url.username().is_empty()).then(|| {
            let decode = |s: &str| percent_decode(s);
            (decode(url.username()), url.password().map(decode).unwrap_or_default())
        });
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let credentials = match (user, password) {
            (Some(u), p) => Some((u.to_owned(), p.unwrap_or_default().to_owned())),
            (None, Some(_)) => bail!("--tsa-password needs --tsa-user"),
            (None, None) => from_url,
        };
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .context("failed to build the HTTP client")?;
        Ok(Self { url, credentials, client })
    }

    fn request(&self, query: Vec<u8>) -> anyhow::Result<Vec<u8>> {
        let mut request =
            self.client.post(self.url.clone()).header("Content-Type", "application/timestamp-query").body(query);
        if let Some((user, password)) = &self.credentials {
            request = request.basic_auth(user, Some(password));
        }
        let response = request.send().with_context(|| format!("the TSA {} did not answer", self.url))?;
        let status = response.status();
        if !status.is_success() {
            bail!("the TSA {} answered HTTP {status}", self.url);
        }
        Ok(response.bytes().context("failed to read the TSA's answer")?.to_vec())
    }
}

impl TimestampSource for HttpTsa {
    fn timestamp(&self, imprint_alg: DigestAlgorithm, imprint: &[u8]) -> signet_pki::Result<Vec<u8>> {
        let (query, nonce) = build_timestamp_request(imprint_alg, imprint, None)?;
        let answer = self.request(query).map_err(|e| PkiError::Invalid(format!("{e:#}")))?;
        parse_timestamp_response(&answer, imprint, Some(&nonce))
    }
}

/// Decodes `%XX` escapes of URL userinfo.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_come_from_the_url_or_the_options() {
        let tsa = HttpTsa::new("http://al%40ice:p%3Aw@127.0.0.1:9/tsa", None, None).unwrap();
        assert_eq!(tsa.credentials, Some(("al@ice".into(), "p:w".into())));
        assert_eq!(tsa.url.as_str(), "http://127.0.0.1:9/tsa");
        let tsa = HttpTsa::new("http://a:b@127.0.0.1:9/tsa", Some("bob"), Some("x")).unwrap();
        assert_eq!(tsa.credentials, Some(("bob".into(), "x".into())));
        assert!(HttpTsa::new("ftp://x/", None, None).is_err());
        assert!(HttpTsa::new("http://x/", None, Some("pw")).is_err());
    }
}
