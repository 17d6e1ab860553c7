//! Structured logs with `tracing`: human-readable text by default, JSON for log collectors.

use std::io::IsTerminal;

use anyhow::Context;
use tracing_subscriber::EnvFilter;

use crate::settings::{LogFormat, Settings};

/// Installs the global subscriber; logs go to stderr so stdout stays for command output.
pub fn init(settings: &Settings) -> anyhow::Result<()> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(directives) => EnvFilter::try_new(directives),
        Err(_) => EnvFilter::try_new(&settings.log),
    }
    .context("invalid log filter")?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let result = match settings.log_format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text | LogFormat::Auto => builder.with_ansi(std::io::stderr().is_terminal()).try_init(),
    };
    result.map_err(|err| anyhow::anyhow!("failed to install the logger: {err}"))
}
