//! The command line: one subcommand per file.

mod app;
mod ca;
mod deployment;
mod locate;
mod ltv_refresh;
mod pdf_output;
mod seal;
mod serve;
mod sign;
mod tsa_client;
mod validation_data;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::settings::Settings;

/// Signet: self-hosted electronic-contract signing.
///
/// `signet serve` runs the service (REST API, vendor dialects, signing pages). The other
/// subcommands work on PDFs, seals and the CA from the command line. Settings come from
/// `signet.toml` (or `--config FILE`) and `SIGNET_*` environment variables; see the README.
#[derive(Debug, Parser)]
#[command(name = "signet", version, propagate_version = true)]
pub struct Cli {
    /// Configuration file (TOML). Default: ./signet.toml when it exists.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP service on the configured database, object store and CA.
    Serve,
    /// Manage API applications (tenants) in the configured database.
    #[command(subcommand)]
    App(app::AppCommand),
    /// Render a seal (印章) image: personal name seals and company seals.
    Seal(seal::SealArgs),
    /// Sign a PDF (PAdES B-B, B-T, B-LT or B-LTA) with a visible seal or invisibly.
    Sign(Box<sign::SignArgs>),
    /// Verify every signature of a PDF; exit status 0 only when all are valid and trusted.
    Verify(verify::VerifyArgs),
    /// Print where a keyword appears (page and box in points).
    Locate(locate::LocateArgs),
    /// The built-in CA: init, issue, revoke, list.
    #[command(subcommand)]
    Ca(ca::CaCommand),
    /// Add fresh validation data and a document timestamp to a signed PDF (PAdES B-LTA).
    LtvRefresh(ltv_refresh::LtvRefreshArgs),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = Settings::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve => serve::run(settings),
        Command::App(command) => app::run(settings, command),
        Command::Seal(args) => seal::run(args).map(|()| ExitCode::SUCCESS),
        Command::Sign(args) => sign::run(settings, *args).map(|()| ExitCode::SUCCESS),
        Command::Verify(args) => verify::run(args),
        Command::Locate(args) => locate::run(args).map(|()| ExitCode::SUCCESS),
        Command::Ca(command) => ca::run(settings, command),
        Command::LtvRefresh(args) => ltv_refresh::run(settings, args).map(|()| ExitCode::SUCCESS),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
