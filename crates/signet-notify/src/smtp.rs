//! E-mail through an SMTP relay (lettre, tokio, rustls).
//!
//! The message's `text` carries the subject on its first line and the body after it (the
//! port's convention). lettre encodes a non-ASCII subject per RFC 2047 and picks a
//! transfer encoding (quoted-printable or base64) for a UTF-8 body, so Chinese text survives
//! 7-bit relays.

use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use signet_core::notify::{Channel, MessageSender, OutgoingMessage};

use crate::{NotifyError, Secret};

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text; only for relays on loopback or a trusted network.
    None,
    /// Plain connection upgraded with STARTTLS, which is required to succeed.
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

impl SmtpTls {
    /// The customary port of each mode.
    pub fn default_port(self) -> u16 {
        match self {
            Self::None => 25,
            Self::StartTls => 587,
            Self::Tls => 465,
        }
    }
}

/// Where and how to submit mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    /// User name and password, if the relay wants them.
    pub credentials: Option<(String, Secret)>,
    /// The sender, `noreply@example.com` or `Signet <noreply@example.com>`.
    pub from: String,
    /// A PEM root certificate to trust in addition to the public roots (private relays).
    pub ca_file: Option<PathBuf>,
    pub timeout: Duration,
}

impl SmtpConfig {
    /// A configuration with the mode's default port, no credentials and a 10 s timeout.
    pub fn new(host: impl Into<String>, tls: SmtpTls, from: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            port: tls.default_port(),
            tls,
            credentials: None,
            from: from.into(),
            ca_file: None,
            timeout: Duration::from_secs(10),
        }
    }
}

/// Sends e-mail through one SMTP relay.
#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    relay: String,
}

impl std::fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSender").field("relay", &self.relay).field("from", &self.from.to_string()).finish()
    }
}

impl SmtpSender {
    /// Prepares the transport; no connection is made until the first message.
    pub fn new(config: SmtpConfig) -> Result<Self, NotifyError> {
        let from: Mailbox =
            config.from.parse().map_err(|e| NotifyError::Config(format!("invalid from address: {e}")))?;
        let tls = match config.tls {
            SmtpTls::None => Tls::None,
            SmtpTls::StartTls => Tls::Required(tls_parameters(&config)?),
            SmtpTls::Tls => Tls::Wrapper(tls_parameters(&config)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
            .port(config.port)
            .tls(tls)
            .timeout(Some(config.timeout));
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_string()));
        }
        Ok(Self { transport: builder.build(), from, relay: format!("{}:{}", config.host, config.port) })
    }

    /// Builds the MIME message for an outgoing e-mail.
    fn mime_message(&self, message: &OutgoingMessage) -> Result<Message, NotifyError> {
        if message.channel != Channel::Email {
            return Err(NotifyError::Unsupported("smtp sends e-mail only".into()));
        }
        let to: Mailbox = message
            .recipient
            .trim()
            .parse()
            .map_err(|_| NotifyError::InvalidRecipient("not an e-mail address".into()))?;
        let (subject, body) = split_subject(&message.text);
        // Our own domain in the Message-ID (lettre would use "localhost" without the hostname
        // feature), which relays and spam filters look at.
        let message_id = format!("<{}@{}>", uuid::Uuid::new_v4(), self.from.email.domain());
        Message::builder()
            .message_id(Some(message_id))
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| NotifyError::Smtp(format!("building message: {e}")))
    }
}

#[async_trait]
impl MessageSender for SmtpSender {
    async fn send(&self, message: &OutgoingMessage) -> signet_core::Result<()> {
        let email = self.mime_message(message)?;
        let response = self.transport.send(email).await.map_err(|e| NotifyError::Smtp(e.to_string()))?;
        tracing::debug!(relay = %self.relay, code = %response.code(), "smtp relay accepted message");
        Ok(())
    }
}

fn tls_parameters(config: &SmtpConfig) -> Result<TlsParameters, NotifyError> {
    let mut builder = TlsParameters::builder(config.host.clone());
    if let Some(path) = &config.ca_file {
        let pem = std::fs::read(path).map_err(|e| NotifyError::Config(format!("reading ca_file: {e}")))?;
        let cert = Certificate::from_pem(&pem).map_err(|e| NotifyError::Config(format!("ca_file: {e}")))?;
        builder = builder.add_root_certificate(cert);
    }
    builder.build_rustls().map_err(|e| NotifyError::Config(format!("tls: {e}")))
}

/// First line is the subject, the rest (after blank lines) the body.
fn split_subject(text: &str) -> (&str, &str) {
    match text.split_once('\n') {
        Some((subject, body)) => (subject.trim_end_matches('\r').trim(), body.trim_start_matches(['\r', '\n'])),
        None => (text.trim(), ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_is_the_first_line() {
        assert_eq!(split_subject("签署验证码\r\n\r\n您的验证码是 123456"), ("签署验证码", "您的验证码是 123456"));
        assert_eq!(split_subject("只有标题"), ("只有标题", ""));
    }

    #[test]
    fn rejects_bad_addresses() {
        let sender =
            SmtpSender::new(SmtpConfig::new("127.0.0.1", SmtpTls::None, "Signet <noreply@example.com>")).unwrap();
        let message = OutgoingMessage {
            channel: Channel::Email,
            recipient: "not an address".into(),
            purpose: signet_core::notify::Purpose::VerificationCode { code: "1".into(), valid_minutes: 1 },
            text: "s\nb".into(),
        };
        assert!(matches!(sender.mime_message(&message), Err(NotifyError::InvalidRecipient(_))));
        assert!(SmtpSender::new(SmtpConfig::new("h", SmtpTls::None, "bad from")).is_err());
    }
}
