//! `signet`: the self-hosted e-contract signing service and its command line.
//!
//! `main` only parses the command line and reports errors; each subcommand lives in `cli/`.

mod callbacks;
mod cli;
mod runtime;
mod settings;
mod telemetry;
mod tls;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // One clear line: the error and its causes.
            eprintln!("signet: {err:#}");
            ExitCode::FAILURE
        }
    }
}
