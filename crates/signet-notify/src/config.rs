//! A provider chosen by one settings string (see the crate docs for the URL forms).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use percent_encoding::percent_decode_str;
use signet_core::notify::MessageSender;
use url::Url;

use crate::{
    AliyunConfig, AliyunSms, NotifyError, OutboxFile, Secret, SmtpConfig, SmtpSender, SmtpTls, TencentConfig,
    TencentSms,
};

/// Why a provider setting was refused. Never echoes the setting (it may hold secrets).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid message provider setting: {0}")]
pub struct ConfigError(String);

pub(crate) fn bad(reason: impl Into<String>) -> ConfigError {
    ConfigError(reason.into())
}

/// A parsed provider setting; `Debug` shows no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderConfig {
    /// `<data dir>/outbox.jsonl`.
    Outbox,
    Smtp(SmtpConfig),
    Aliyun(AliyunConfig),
    Tencent(TencentConfig),
}

impl ProviderConfig {
    /// Parses `outbox`, `smtp://…`, `smtps://…`, `aliyun://…` or `tencent://…`.
    pub fn parse(setting: &str) -> Result<Self, ConfigError> {
        let setting = setting.trim();
        if setting.eq_ignore_ascii_case("outbox") {
            return Ok(Self::Outbox);
        }
        let url = Url::parse(setting).map_err(|e| bad(format!("not a URL ({e})")))?;
        let query = Query::of(&url)?;
        let config = match url.scheme() {
            "smtp" | "smtps" => Self::Smtp(smtp(&url, &query)?),
            "aliyun" => Self::Aliyun(aliyun(&url, &query)?),
            "tencent" => Self::Tencent(tencent(&url, &query)?),
            other => return Err(bad(format!("unknown provider '{other}' (outbox, smtp, smtps, aliyun, tencent)"))),
        };
        query.reject_unknown()?;
        Ok(config)
    }

    /// A short name for logs: `outbox`, `smtp`, `aliyun` or `tencent`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Outbox => "outbox",
            Self::Smtp(_) => "smtp",
            Self::Aliyun(_) => "aliyun",
            Self::Tencent(_) => "tencent",
        }
    }

    /// The sender this setting describes; `data_dir` locates the outbox.
    pub fn build(self, data_dir: &Path) -> Result<Arc<dyn MessageSender>, NotifyError> {
        Ok(match self {
            Self::Outbox => Arc::new(OutboxFile::in_data_dir(data_dir)),
            Self::Smtp(config) => Arc::new(SmtpSender::new(config)?),
            Self::Aliyun(config) => Arc::new(AliyunSms::new(config)?),
            Self::Tencent(config) => Arc::new(TencentSms::new(config)?),
        })
    }
}

/// A one-line description for startup logs; names accounts and endpoints, never secrets.
impl std::fmt::Display for ProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Outbox => f.write_str("outbox (<data dir>/outbox.jsonl)"),
            Self::Smtp(c) => {
                let tls = match c.tls {
                    SmtpTls::None => "no TLS",
                    SmtpTls::StartTls => "STARTTLS",
                    SmtpTls::Tls => "TLS",
                };
                write!(f, "smtp {}:{} ({tls}), from {}", c.host, c.port, c.from)?;
                match &c.credentials {
                    Some((user, _)) => write!(f, ", user {user}"),
                    None => Ok(()),
                }
            }
            Self::Aliyun(c) => write!(
                f,
                "aliyun dysms {} (AccessKeyId {}, sign name {}, template {})",
                c.endpoint, c.access_key_id, c.sign_name, c.code_template
            ),
            Self::Tencent(c) => write!(
                f,
                "tencent sms {} (SecretId {}, app {}, region {}, template {})",
                c.endpoint, c.secret_id, c.sdk_app_id, c.region, c.code_template
            ),
        }
    }
}

impl FromStr for ProviderConfig {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Query parameters, with tracking of which were used so typos are reported.
pub(crate) struct Query {
    values: HashMap<String, String>,
    used: std::cell::RefCell<Vec<String>>,
}

impl Query {
    pub(crate) fn of(url: &Url) -> Result<Self, ConfigError> {
        let mut values = HashMap::new();
        for (name, value) in url.query_pairs() {
            if values.insert(name.to_string(), value.to_string()).is_some() {
                return Err(bad(format!("parameter '{name}' given twice")));
            }
        }
        Ok(Self { values, used: Default::default() })
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.used.borrow_mut().push(name.to_string());
        self.values.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    fn require(&self, name: &str) -> Result<&str, ConfigError> {
        self.get(name).ok_or_else(|| bad(format!("'{name}' is required")))
    }

    pub(crate) fn reject_unknown(&self) -> Result<(), ConfigError> {
        let used = self.used.borrow();
        let mut unknown: Vec<&str> =
            self.values.keys().map(String::as_str).filter(|k| !used.iter().any(|u| u == k)).collect();
        unknown.sort_unstable();
        match unknown.first() {
            Some(name) => Err(bad(format!("unknown parameter '{name}'"))),
            None => Ok(()),
        }
    }

    pub(crate) fn timeout(&self) -> Result<Duration, ConfigError> {
        match self.get("timeout_secs") {
            None => Ok(Duration::from_secs(10)),
            Some(v) => match v.parse::<u64>() {
                Ok(secs) if (1..=300).contains(&secs) => Ok(Duration::from_secs(secs)),
                _ => Err(bad("'timeout_secs' must be 1..=300")),
            },
        }
    }

    /// `endpoint=` override, else `https://<host>[:port]/` from the URL.
    pub(crate) fn endpoint(&self, url: &Url) -> Result<Url, ConfigError> {
        let endpoint = match self.get("endpoint") {
            Some(value) => Url::parse(value).map_err(|e| bad(format!("'endpoint' is not a URL ({e})")))?,
            None => {
                let host = host(url)?;
                let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
                Url::parse(&format!("https://{host}{port}/")).map_err(|e| bad(format!("bad host ({e})")))?
            }
        };
        if !matches!(endpoint.scheme(), "http" | "https") || endpoint.host_str().is_none() {
            return Err(bad("'endpoint' must be an http(s) URL with a host"));
        }
        Ok(endpoint)
    }
}

fn host(url: &Url) -> Result<String, ConfigError> {
    match url.host_str() {
        Some(h) if !h.is_empty() => Ok(h.to_string()),
        _ => Err(bad("a host is required")),
    }
}

fn decoded(part: &str, what: &str) -> Result<String, ConfigError> {
    percent_decode_str(part)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| bad(format!("{what} is not UTF-8 after percent-decoding")))
}

/// `user:password@` as decoded strings; both required when `required`.
pub(crate) fn userinfo(url: &Url, what: (&str, &str), required: bool) -> Result<Option<(String, Secret)>, ConfigError> {
    let user = decoded(url.username(), what.0)?;
    let password = url.password().map(|p| decoded(p, what.1)).transpose()?.unwrap_or_default();
    match (user.is_empty(), password.is_empty()) {
        (true, true) if !required => Ok(None),
        (false, false) => Ok(Some((user, Secret::new(password)))),
        _ => Err(bad(format!("both {} and {} are required before '@'", what.0, what.1))),
    }
}

fn smtp(url: &Url, query: &Query) -> Result<SmtpConfig, ConfigError> {
    let tls = match (url.scheme(), query.get("tls")) {
        ("smtps", None | Some("tls")) => SmtpTls::Tls,
        ("smtps", Some(_)) => return Err(bad("smtps always uses implicit TLS; drop 'tls' or use smtp://")),
        (_, None | Some("starttls")) => SmtpTls::StartTls,
        (_, Some("none")) => SmtpTls::None,
        (_, Some("tls")) => SmtpTls::Tls,
        (_, Some(_)) => return Err(bad("'tls' must be none, starttls or tls")),
    };
    let mut config = SmtpConfig::new(host(url)?, tls, query.require("from")?);
    if let Some(port) = url.port() {
        config.port = port;
    }
    config.credentials = userinfo(url, ("user", "password"), false)?;
    config.ca_file = query.get("ca_file").map(PathBuf::from);
    config.timeout = query.timeout()?;
    Ok(config)
}

fn aliyun(url: &Url, query: &Query) -> Result<AliyunConfig, ConfigError> {
    let (key_id, secret) = userinfo(url, ("AccessKeyId", "AccessKeySecret"), true)?
        .ok_or_else(|| bad("AccessKeyId and AccessKeySecret are required"))?;
    let mut config = AliyunConfig::new(key_id, secret, query.require("sign_name")?, query.require("template")?);
    config.link_template = query.get("link_template").map(str::to_string);
    config.signed_template = query.get("signed_template").map(str::to_string);
    if let Some(region) = query.get("region") {
        config.region_id = region.to_string();
    }
    config.endpoint = query.endpoint(url)?;
    config.timeout = query.timeout()?;
    Ok(config)
}

fn tencent(url: &Url, query: &Query) -> Result<TencentConfig, ConfigError> {
    let (secret_id, secret_key) =
        userinfo(url, ("SecretId", "SecretKey"), true)?.ok_or_else(|| bad("SecretId and SecretKey are required"))?;
    let mut config = TencentConfig::new(
        secret_id,
        secret_key,
        query.require("app_id")?,
        query.require("sign_name")?,
        query.require("template")?,
    );
    config.link_template = query.get("link_template").map(str::to_string);
    config.signed_template = query.get("signed_template").map(str::to_string);
    if let Some(region) = query.get("region") {
        config.region = region.to_string();
    }
    config.endpoint = query.endpoint(url)?;
    config.timeout = query.timeout()?;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outbox() {
        assert_eq!(ProviderConfig::parse(" outbox ").unwrap(), ProviderConfig::Outbox);
    }

    #[test]
    fn smtp_forms() {
        let ProviderConfig::Smtp(c) = ProviderConfig::parse(
            "smtp://mailer:p%40ss@mail.example.com:2525?tls=starttls&from=Signet%20%3Cno@example.com%3E",
        )
        .unwrap() else {
            panic!("not smtp")
        };
        assert_eq!((c.host.as_str(), c.port, c.tls), ("mail.example.com", 2525, SmtpTls::StartTls));
        let (user, password) = c.credentials.unwrap();
        assert_eq!((user.as_str(), password.expose()), ("mailer", "p@ss"));
        assert_eq!(c.from, "Signet <no@example.com>");

        let ProviderConfig::Smtp(c) = ProviderConfig::parse("smtps://mail.example.com?from=no@example.com").unwrap()
        else {
            panic!("not smtp")
        };
        assert_eq!((c.port, c.tls, c.credentials), (465, SmtpTls::Tls, None));

        let ProviderConfig::Smtp(c) = ProviderConfig::parse("smtp://127.0.0.1?tls=none&from=a@b.cn").unwrap() else {
            panic!("not smtp")
        };
        assert_eq!((c.port, c.tls), (25, SmtpTls::None));
    }

    #[test]
    fn aliyun_form() {
        let ProviderConfig::Aliyun(c) = ProviderConfig::parse(
            "aliyun://LTAIkey:se%2Fcret@dysmsapi.aliyuncs.com?sign_name=签署平台&template=SMS_123&link_template=SMS_456&signed_template=SMS_789",
        )
        .unwrap() else {
            panic!("not aliyun")
        };
        assert_eq!(c.access_key_id, "LTAIkey");
        assert_eq!(c.access_key_secret.expose(), "se/cret");
        assert_eq!(c.sign_name, "签署平台");
        assert_eq!(c.code_template, "SMS_123");
        assert_eq!(c.link_template.as_deref(), Some("SMS_456"));
        assert_eq!(c.signed_template.as_deref(), Some("SMS_789"));
        assert_eq!(c.region_id, "cn-hangzhou");
        assert_eq!(c.endpoint.as_str(), "https://dysmsapi.aliyuncs.com/");
    }

    #[test]
    fn tencent_form_with_endpoint() {
        let ProviderConfig::Tencent(c) = ProviderConfig::parse(
            "tencent://AKIDx:skey@sms.tencentcloudapi.com?app_id=1400006666&sign_name=%E8%85%BE%E8%AE%AF&template=1234&region=ap-beijing&endpoint=http://127.0.0.1:9999",
        )
        .unwrap() else {
            panic!("not tencent")
        };
        assert_eq!((c.secret_id.as_str(), c.secret_key.expose()), ("AKIDx", "skey"));
        assert_eq!(
            (c.sdk_app_id.as_str(), c.sign_name.as_str(), c.code_template.as_str()),
            ("1400006666", "腾讯", "1234")
        );
        assert_eq!(c.region, "ap-beijing");
        assert_eq!(c.endpoint.as_str(), "http://127.0.0.1:9999/");
    }

    #[test]
    fn debug_output_hides_secrets() {
        for setting in [
            "smtp://u:TOPSECRET@h?from=a@b.cn",
            "aliyun://id:TOPSECRET@h?sign_name=s&template=t",
            "tencent://id:TOPSECRET@h?app_id=1&sign_name=s&template=t",
        ] {
            let config = ProviderConfig::parse(setting).unwrap();
            let debug = format!("{config:?}");
            assert!(!debug.contains("TOPSECRET"), "{debug}");
            assert!(debug.contains("Secret(***)"), "{debug}");
            let display = config.to_string();
            assert!(!display.contains("TOPSECRET"), "{display}");
            assert!(display.starts_with(config.kind()), "{display}");
        }
    }

    #[test]
    fn clear_errors_without_echoing_secrets() {
        let cases = [
            ("sms://x", "unknown provider"),
            ("smtp://h", "'from' is required"),
            ("smtp://h?from=a@b.cn&tls=ssl", "'tls' must be"),
            ("aliyun://id:TOPSECRET@h?template=t", "'sign_name' is required"),
            ("aliyun://h?sign_name=s&template=t", "AccessKeyId and AccessKeySecret"),
            ("aliyun://id@h?sign_name=s&template=t", "both AccessKeyId and AccessKeySecret"),
            ("tencent://id:TOPSECRET@h?sign_name=s&template=t", "'app_id' is required"),
            ("tencent://id:TOPSECRET@h?app_id=1&sign_name=s&template=t&regoin=x", "unknown parameter 'regoin'"),
            ("tencent://id:TOPSECRET@h?app_id=1&sign_name=s&template=t&endpoint=ftp://x", "http(s) URL"),
            ("not a url TOPSECRET", "not a URL"),
        ];
        for (setting, expected) in cases {
            let err = ProviderConfig::parse(setting).unwrap_err().to_string();
            assert!(err.contains(expected), "{setting}: {err}");
            assert!(!err.contains("TOPSECRET"), "{err}");
        }
    }
}
