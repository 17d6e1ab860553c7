//! Typed configuration: defaults, then `signet.toml` (or `--config FILE`), then `SIGNET_*`
//! environment variables, each layer overriding the one before.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Every setting, with its default. The README documents each one.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Where the embedded defaults live: SQLite database, object folder, master key.
    pub data_dir: PathBuf,
    /// Address to listen on; port 0 picks a free port.
    #[serde(deserialize_with = "lenient::string")]
    pub listen: String,
    /// Base URL clients and validators reach this service at (AIA, OCSP and CRL URLs, links).
    #[serde(deserialize_with = "lenient::optional_string")]
    pub public_url: Option<String>,
    /// `sqlite://PATH` or `postgres://...`; default `sqlite://<data_dir>/signet.db`.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub database_url: Option<String>,
    /// `file:///DIR`, `s3://BUCKET?endpoint=...&region=...` or `memory://`; default `<data_dir>/objects`.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub storage_url: Option<String>,
    /// Base64 of 32 bytes; default: generated once into `<data_dir>/master.key` (mode 0600).
    #[serde(deserialize_with = "lenient::optional_string")]
    pub master_key: Option<String>,
    /// `text`, `json`, or `auto` (text).
    pub log_format: LogFormat,
    /// Log filter in `tracing` syntax, e.g. `info` or `signet=debug,info`; `RUST_LOG` overrides.
    #[serde(deserialize_with = "lenient::string")]
    pub log: String,
    /// Organisation name in the CA certificates' subjects.
    #[serde(deserialize_with = "lenient::string")]
    pub ca_organization: String,
    /// App created on first start, so deployments and tests log in without a manual step.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub bootstrap_app_id: Option<String>,
    /// Secret of the bootstrap app.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub bootstrap_app_key: Option<String>,
    /// Callback URL of the bootstrap app.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub bootstrap_callback_url: Option<String>,
    /// Callback signing secret of the bootstrap app.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub bootstrap_callback_secret: Option<String>,
    /// Largest accepted request body (uploads included), in bytes.
    pub max_upload_bytes: usize,
    /// Lifetime of native access tokens, in seconds.
    pub token_ttl_secs: u32,
    /// Key algorithm of accounts' certificates: rsa2048, rsa3072, rsa4096, p256, p384 or sm2.
    #[serde(deserialize_with = "lenient::string")]
    pub account_key_algorithm: String,
    /// Validity of accounts' long-term certificates, in days.
    pub certificate_validity_days: u32,
    /// Allow callbacks to loopback and private addresses (on-premise receivers, tests).
    pub callback_allow_private: bool,
    /// How long a callback receiver may take to answer, in milliseconds.
    pub callback_timeout_ms: u64,
    /// Delivery attempts before an event is given up (it stays available in pull mode).
    pub callback_max_attempts: u32,
    /// `exponential` (retry_secs, doubling), `fixed` (every retry_secs) or `esign` (6 × 30 min, 2 s timeout).
    #[serde(deserialize_with = "lenient::string")]
    pub callback_backoff: String,
    /// Base wait between callback attempts, in seconds.
    pub callback_retry_secs: u64,
    /// How often the background worker looks for due callbacks and expired flows, in milliseconds.
    pub worker_interval_ms: u64,
    /// How long a willingness code stays valid, in seconds.
    pub code_validity_secs: u32,
    /// SMS provider: `outbox` (appends to `<data_dir>/outbox.jsonl`), `aliyun://...` or `tencent://...`.
    #[serde(deserialize_with = "lenient::string")]
    pub sms_provider: String,
    /// Directories the 云合同 dialect may read and write server paths in, colon-separated.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub file_roots: Option<String>,
    /// Lifetime of 云合同 dialect tokens, in seconds (the vendor's: 15 minutes).
    pub yunhetong_token_ttl_secs: u32,
    /// E-mail provider: `outbox` or `smtp://user:pw@host:port?tls=starttls&from=...`.
    #[serde(deserialize_with = "lenient::string")]
    pub email_provider: String,
    /// Lifetime of signing-page and authorization-page links, in seconds (default 30 days).
    pub link_validity_secs: u32,
    /// Seconds the done page waits before following a link's redirect URL.
    pub page_redirect_secs: u32,
    /// PEM certificate chain: when set (with `tls_key`), `serve` speaks HTTPS itself.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub tls_cert: Option<String>,
    /// PEM private key of `tls_cert`.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub tls_key: Option<String>,
    /// PEM CA(s) WoSignDoc client certificates must chain to; set, `/wosign` requires a client
    /// certificate whose subject CN is the caller's `tokenid` (needs `tls_cert`).
    #[serde(deserialize_with = "lenient::optional_string")]
    pub wosign_client_ca: Option<String>,
    /// Most signers one WoSignDoc order may have (-48 above).
    pub wosign_max_signers: u32,
    /// How WoSignDoc orders are signed: `auto` (each signer's certificate, in the background) or
    /// `pages` (each signer on its signing page).
    #[serde(deserialize_with = "lenient::string")]
    pub wosign_signing: String,
    /// PAdES level of the service's signatures: `B-T`, `B-LT` or `B-LTA`.
    #[serde(deserialize_with = "lenient::string")]
    pub pades_level: String,
    /// Policy OID the built-in TSA writes into its tokens (default: Signet's arc, see the README).
    #[serde(deserialize_with = "lenient::string")]
    pub tsa_policy_oid: String,
    /// Accuracy the built-in TSA claims, in milliseconds.
    pub tsa_accuracy_ms: u32,
    /// PKCS#11 module (e.g. `/usr/lib/softhsm/libsofthsm2.so`); unset keeps every key in software.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub pkcs11_module: Option<String>,
    /// Label of the PKCS#11 token holding the keys.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub pkcs11_token_label: Option<String>,
    /// Slot id of the token, instead of its label.
    pub pkcs11_slot: Option<u64>,
    /// User PIN of the token (prefer `pkcs11_pin_file`).
    #[serde(deserialize_with = "lenient::optional_string")]
    pub pkcs11_pin: Option<String>,
    /// File holding the token's user PIN.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub pkcs11_pin_file: Option<String>,
    /// Which new keys go into the token: `accounts`, `ca` or `ca,accounts` (SM2 keys stay in software).
    #[serde(deserialize_with = "lenient::string")]
    pub pkcs11_keys: String,
    /// Sign with a per-scene certificate (issued at signing time, used once) unless the request
    /// asks for the account's long-term one.
    pub scene_certificates: bool,
    /// Validity of per-scene certificates, in minutes (1 to 1440).
    pub scene_certificate_minutes: u32,
    /// Real-name verification source: `none`, `outbox` (micro-deposits only) or `tencent://...`.
    #[serde(deserialize_with = "lenient::string")]
    pub verification_provider: String,
    /// Face verification for willingness (PSN_FACE on authorization pages): `none` or
    /// `tencent://SECRET_ID:SECRET_KEY@faceid.tencentcloudapi.com?rule_id=...` (FaceID H5).
    #[serde(deserialize_with = "lenient::string")]
    pub face_verifier: String,
    /// Enterprise checks and micro-deposits: `none` or `esign://APP_ID:SECRET@openapi.esign.cn`.
    #[serde(deserialize_with = "lenient::string")]
    pub enterprise_verification_provider: String,
}

/// Names of the settings, i.e. the accepted `SIGNET_<NAME>` variables (lowercased).
const KEYS: &[&str] = &[
    "data_dir",
    "listen",
    "public_url",
    "database_url",
    "storage_url",
    "master_key",
    "log_format",
    "log",
    "ca_organization",
    "bootstrap_app_id",
    "bootstrap_app_key",
    "bootstrap_callback_url",
    "bootstrap_callback_secret",
    "max_upload_bytes",
    "token_ttl_secs",
    "account_key_algorithm",
    "certificate_validity_days",
    "callback_allow_private",
    "callback_timeout_ms",
    "callback_max_attempts",
    "callback_backoff",
    "callback_retry_secs",
    "worker_interval_ms",
    "code_validity_secs",
    "sms_provider",
    "file_roots",
    "yunhetong_token_ttl_secs",
    "email_provider",
    "link_validity_secs",
    "page_redirect_secs",
    "tls_cert",
    "tls_key",
    "wosign_client_ca",
    "wosign_max_signers",
    "wosign_signing",
    "pades_level",
    "tsa_policy_oid",
    "tsa_accuracy_ms",
    "pkcs11_module",
    "pkcs11_token_label",
    "pkcs11_slot",
    "pkcs11_pin",
    "pkcs11_pin_file",
    "pkcs11_keys",
    "scene_certificates",
    "scene_certificate_minutes",
    "verification_provider",
    "face_verifier",
    "enterprise_verification_provider",
];

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Auto,
    Json,
    Text,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./signet-data"),
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            database_url: None,
            storage_url: None,
            master_key: None,
            log_format: LogFormat::Auto,
            log: "info".into(),
            ca_organization: "Signet".into(),
            bootstrap_app_id: None,
            bootstrap_app_key: None,
            bootstrap_callback_url: None,
            bootstrap_callback_secret: None,
            max_upload_bytes: 100 * 1024 * 1024,
            token_ttl_secs: 2 * 60 * 60,
            account_key_algorithm: "rsa2048".into(),
            certificate_validity_days: 730,
            callback_allow_private: false,
            callback_timeout_ms: 5000,
            callback_max_attempts: 8,
            callback_backoff: "exponential".into(),
            callback_retry_secs: 10,
            worker_interval_ms: 1000,
            code_validity_secs: 900,
            sms_provider: "outbox".into(),
            file_roots: None,
            yunhetong_token_ttl_secs: 15 * 60,
            email_provider: "outbox".into(),
            link_validity_secs: 30 * 24 * 60 * 60,
            page_redirect_secs: 3,
            tls_cert: None,
            tls_key: None,
            wosign_client_ca: None,
            wosign_max_signers: 20,
            wosign_signing: "auto".into(),
            pades_level: "B-LTA".into(),
            tsa_policy_oid: signet_pki::DEFAULT_TSA_POLICY.to_string(),
            tsa_accuracy_ms: 1000,
            pkcs11_module: None,
            pkcs11_token_label: None,
            pkcs11_slot: None,
            pkcs11_pin: None,
            pkcs11_pin_file: None,
            pkcs11_keys: "accounts".into(),
            scene_certificates: false,
            scene_certificate_minutes: 30,
            verification_provider: "none".into(),
            face_verifier: "none".into(),
            enterprise_verification_provider: "none".into(),
        }
    }
}

impl Settings {
    /// Loads the layers. An explicit `--config` file must exist; `./signet.toml` is optional.
    pub fn load(config: Option<&Path>) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Self::default()));
        match config {
            Some(path) if !path.is_file() => bail!("config file {} does not exist", path.display()),
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None => figment = figment.merge(Toml::file("signet.toml")),
        }
        figment = figment.merge(Env::prefixed("SIGNET_").only(KEYS));
        figment.extract().context("invalid configuration")
    }

    /// The metadata database URL.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("signet.db").display()))
    }

    /// The object store URL.
    pub fn storage_url(&self) -> String {
        self.storage_url.clone().unwrap_or_else(|| self.data_dir.join("objects").display().to_string())
    }

    /// The public base URL, without a trailing slash.
    pub fn public_url(&self) -> String {
        let url = self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.listen));
        url.trim_end_matches('/').to_owned()
    }

    /// The callback delivery rules.
    pub fn delivery_policy(&self) -> anyhow::Result<signet_core::DeliveryPolicy> {
        use signet_core::{Backoff, DeliveryPolicy};
        use std::time::Duration;
        let wait = Duration::from_secs(self.callback_retry_secs.max(1));
        let backoff = match self.callback_backoff.as_str() {
            "esign" => return Ok(DeliveryPolicy::ESIGN),
            "exponential" => Backoff::Exponential { base: wait },
            "fixed" => Backoff::Fixed { every: wait },
            other => anyhow::bail!("callback_backoff must be exponential, fixed or esign, not {other:?}"),
        };
        Ok(DeliveryPolicy {
            timeout: Duration::from_millis(self.callback_timeout_ms.max(100)),
            max_attempts: i32::try_from(self.callback_max_attempts.max(1)).unwrap_or(i32::MAX),
            backoff,
        })
    }

    /// Settings of the HTTP layer.
    pub fn http_config(&self) -> anyhow::Result<signet_http::HttpConfig> {
        let signing = signet_core::wosign_orders::WosignSigning::parse(&self.wosign_signing)
            .with_context(|| format!("wosign_signing must be auto or pages, not {:?}", self.wosign_signing))?;
        let file_roots = self.file_roots.as_deref().unwrap_or_default();
        Ok(signet_http::HttpConfig {
            max_body_bytes: self.max_upload_bytes,
            yunhetong: signet_http::dialects::yunhetong::YunhetongConfig {
                file_roots: file_roots.split(':').filter(|r| !r.trim().is_empty()).map(PathBuf::from).collect(),
                token_ttl: time::Duration::seconds(self.yunhetong_token_ttl_secs.max(1).into()),
            },
            pages: signet_http::pages::PagesConfig { redirect_delay_secs: self.page_redirect_secs },
            wosign: signet_http::dialects::wosign::WosignConfig {
                require_client_certificate: self.wosign_client_ca.is_some(),
                max_signers: self.wosign_max_signers.clamp(1, 50) as usize,
                signing,
            },
        })
    }
}

/// Secrets and database passwords never reach logs through `{:?}`.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("Settings")
            .field("data_dir", &self.data_dir)
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("database_url", &self.database_url.as_deref().map(redact_password))
            .field("storage_url", &self.storage_url)
            .field("master_key", &redact(&self.master_key))
            .field("log_format", &self.log_format)
            .field("log", &self.log)
            .field("ca_organization", &self.ca_organization)
            .field("bootstrap_app_id", &self.bootstrap_app_id)
            .field("bootstrap_app_key", &redact(&self.bootstrap_app_key))
            .field("bootstrap_callback_url", &self.bootstrap_callback_url)
            .field("bootstrap_callback_secret", &redact(&self.bootstrap_callback_secret))
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("token_ttl_secs", &self.token_ttl_secs)
            .field("account_key_algorithm", &self.account_key_algorithm)
            .field("certificate_validity_days", &self.certificate_validity_days)
            .field("callback_allow_private", &self.callback_allow_private)
            .field("callback_timeout_ms", &self.callback_timeout_ms)
            .field("callback_max_attempts", &self.callback_max_attempts)
            .field("callback_backoff", &self.callback_backoff)
            .field("callback_retry_secs", &self.callback_retry_secs)
            .field("worker_interval_ms", &self.worker_interval_ms)
            .field("code_validity_secs", &self.code_validity_secs)
            .field("sms_provider", &provider_kind(&self.sms_provider))
            .field("file_roots", &self.file_roots)
            .field("yunhetong_token_ttl_secs", &self.yunhetong_token_ttl_secs)
            .field("email_provider", &provider_kind(&self.email_provider))
            .field("link_validity_secs", &self.link_validity_secs)
            .field("page_redirect_secs", &self.page_redirect_secs)
            .field("tls_cert", &self.tls_cert)
            .field("tls_key", &self.tls_key)
            .field("wosign_client_ca", &self.wosign_client_ca)
            .field("wosign_max_signers", &self.wosign_max_signers)
            .field("wosign_signing", &self.wosign_signing)
            .field("pades_level", &self.pades_level)
            .field("tsa_policy_oid", &self.tsa_policy_oid)
            .field("tsa_accuracy_ms", &self.tsa_accuracy_ms)
            .field("pkcs11_module", &self.pkcs11_module)
            .field("pkcs11_token_label", &self.pkcs11_token_label)
            .field("pkcs11_slot", &self.pkcs11_slot)
            .field("pkcs11_pin", &redact(&self.pkcs11_pin))
            .field("pkcs11_pin_file", &self.pkcs11_pin_file)
            .field("pkcs11_keys", &self.pkcs11_keys)
            .field("scene_certificates", &self.scene_certificates)
            .field("scene_certificate_minutes", &self.scene_certificate_minutes)
            .field("verification_provider", &provider_kind(&self.verification_provider))
            .field("face_verifier", &provider_kind(&self.face_verifier))
            .field("enterprise_verification_provider", &provider_kind(&self.enterprise_verification_provider))
            .finish()
    }
}

/// Environment values that look like numbers (an app key `12345678`) still fill string settings.
mod lenient {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Scalar {
        String(String),
        Unsigned(u64),
        Signed(i64),
        Float(f64),
        Bool(bool),
    }

    impl From<Scalar> for String {
        fn from(scalar: Scalar) -> Self {
            match scalar {
                Scalar::String(s) => s,
                Scalar::Unsigned(n) => n.to_string(),
                Scalar::Signed(n) => n.to_string(),
                Scalar::Float(n) => n.to_string(),
                Scalar::Bool(b) => b.to_string(),
            }
        }
    }

    pub(super) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Scalar::deserialize(d).map(String::from)
    }

    pub(super) fn optional_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Option::<Scalar>::deserialize(d).map(|v| v.map(String::from))
    }
}

/// Provider URLs carry credentials: show only their scheme.
fn provider_kind(url: &str) -> &str {
    url.split("://").next().unwrap_or(url)
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err, reason = "figment::Jail's closures return figment::Error")]
mod tests {
    use super::*;

    #[test]
    fn every_setting_has_an_environment_variable() {
        let defaults = serde_json::to_value(Settings::default()).unwrap();
        let mut fields: Vec<&str> = defaults.as_object().unwrap().keys().map(String::as_str).collect();
        let mut keys = KEYS.to_vec();
        fields.sort_unstable();
        keys.sort_unstable();
        assert_eq!(fields, keys);
    }

    #[test]
    fn environment_overrides_file_and_strings_stay_strings() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("signet.toml", "listen = \"0.0.0.0:9000\"\nlog = \"debug\"\n")?;
            jail.set_env("SIGNET_LISTEN", "127.0.0.1:0");
            jail.set_env("SIGNET_BOOTSTRAP_APP_KEY", "12345678");
            jail.set_env("SIGNET_MAX_UPLOAD_BYTES", "1024");
            let settings = Settings::load(None).unwrap();
            assert_eq!(settings.listen, "127.0.0.1:0");
            assert_eq!(settings.log, "debug");
            assert_eq!(settings.bootstrap_app_key.as_deref(), Some("12345678"));
            assert_eq!(settings.max_upload_bytes, 1024);
            Ok(())
        });
    }

    #[test]
    fn no_config_file_means_defaults() {
        figment::Jail::expect_with(|_| {
            assert_eq!(Settings::load(None).unwrap().listen, "127.0.0.1:8080");
            Ok(())
        });
    }

    #[test]
    fn unknown_file_keys_and_missing_explicit_files_are_errors() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("bad.toml", "lisen = \"x\"\n")?;
            assert!(Settings::load(Some(Path::new("bad.toml"))).is_err());
            assert!(Settings::load(Some(Path::new("absent.toml"))).is_err());
            Ok(())
        });
    }

    #[test]
    fn debug_output_hides_secrets() {
        let settings = Settings {
            master_key: Some("c2VjcmV0".into()),
            bootstrap_app_key: Some("topsecret".into()),
            database_url: Some("postgres://signet:pw123@db/signet".into()),
            ..Settings::default()
        };
        let shown = format!("{settings:?}");
        assert!(!shown.contains("c2VjcmV0") && !shown.contains("topsecret") && !shown.contains("pw123"));
        assert!(shown.contains("postgres://signet:***@db/signet"));
    }
}
