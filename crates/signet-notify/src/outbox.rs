//! The development provider: every message becomes one JSON line in `<data dir>/outbox.jsonl`.
//!
//! Several `signet serve` processes may share one data dir, so each line goes out in a single
//! `write` on a file opened with `O_APPEND`: the kernel then places the whole line at the end
//! of the file atomically and lines from different processes never interleave.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use serde_json::{Value, json};
use signet_core::notify::{Channel, MessageSender, OutgoingMessage, Purpose};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::NotifyError;

/// The file name inside the data dir.
pub const OUTBOX_FILE_NAME: &str = "outbox.jsonl";

/// Appends messages to a JSON-lines file instead of sending them.
#[derive(Debug, Clone)]
pub struct OutboxFile {
    path: PathBuf,
}

impl OutboxFile {
    /// An outbox at an explicit path.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The outbox of a data dir: `<data_dir>/outbox.jsonl`.
    pub fn in_data_dir(data_dir: impl AsRef<Path>) -> Self {
        Self::new(data_dir.as_ref().join(OUTBOX_FILE_NAME))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one message and waits until it is on disk.
    pub async fn append(&self, message: &OutgoingMessage) -> Result<(), NotifyError> {
        let mut line = serde_json::to_vec(&outbox_line(message, OffsetDateTime::now_utc()))
            .map_err(|e| NotifyError::Outbox(std::io::Error::other(e)))?;
        line.push(b'\n');
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || append_line(&path, &line))
            .await
            .map_err(|e| NotifyError::Outbox(std::io::Error::other(e)))?
            .map_err(NotifyError::Outbox)
    }
}

#[async_trait]
impl MessageSender for OutboxFile {
    async fn send(&self, message: &OutgoingMessage) -> signet_core::Result<()> {
        self.append(message).await?;
        tracing::debug!(path = %self.path.display(), "message written to outbox");
        Ok(())
    }
}

/// The JSON object written for one message.
fn outbox_line(message: &OutgoingMessage, now: OffsetDateTime) -> Value {
    let time = now.format(&Rfc3339).unwrap_or_else(|_| now.unix_timestamp().to_string());
    json!({
        "time": time,
        "channel": channel_name(message.channel),
        "recipient": message.recipient,
        "purpose": purpose_json(&message.purpose),
        "text": message.text,
    })
}

pub(crate) fn channel_name(channel: Channel) -> &'static str {
    match channel {
        Channel::Sms => "sms",
        Channel::Email => "email",
    }
}

fn purpose_json(purpose: &Purpose) -> Value {
    match purpose {
        Purpose::VerificationCode { code, valid_minutes } => {
            json!({"type": "verification_code", "code": code, "valid_minutes": valid_minutes})
        }
        Purpose::SigningLink { url, flow_title } => {
            json!({"type": "signing_link", "url": url, "flow_title": flow_title})
        }
        Purpose::SignedCopy { url, flow_title } => {
            json!({"type": "signed_copy", "url": url, "flow_title": flow_title})
        }
    }
}

/// One `write(2)` of the whole line with `O_APPEND`, then `fsync`.
pub(crate) fn append_line(path: &Path, line: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        // Verification codes are in here: readable by the service user only.
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    // Deliberately not `write_all`: a retried partial write could land after another
    // process's line. A short write on a regular file means the disk is full; report it.
    let written = file.write(line)?;
    if written != line.len() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::WriteZero,
            format!("short write to outbox ({written} of {} bytes)", line.len()),
        ));
    }
    file.sync_data()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_has_the_documented_fields() {
        let message = OutgoingMessage {
            channel: Channel::Sms,
            recipient: "13800138000".into(),
            purpose: Purpose::VerificationCode { code: "123456".into(), valid_minutes: 15 },
            text: "验证码 123456".into(),
        };
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let line = outbox_line(&message, now);
        assert_eq!(line["time"], "2023-11-14T22:13:20Z");
        assert_eq!(line["channel"], "sms");
        assert_eq!(line["recipient"], "13800138000");
        assert_eq!(line["purpose"]["type"], "verification_code");
        assert_eq!(line["purpose"]["code"], "123456");
        assert_eq!(line["purpose"]["valid_minutes"], 15);
        assert_eq!(line["text"], "验证码 123456");
    }
}
