//! Integration tests of the seal engine (one test binary).

mod cli;
mod company;
mod fonts;
mod pdf_vector;
mod personal;
mod signature;
mod support;
mod upload;

/// The CLI module the `signet` binary wires in, compiled here so it is tested with the engine.
#[path = "../../../signet/src/cli/seal.rs"]
mod seal_cli;
