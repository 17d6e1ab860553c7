//! `signet app create|list|rotate-secret|disable|enable`: operator management of API applications.

use std::process::ExitCode;

use clap::Subcommand;
use signet_core::ids::AppId;

use crate::runtime::{self, Runtime};
use crate::settings::Settings;

#[derive(Debug, Subcommand)]
pub(super) enum AppCommand {
    /// Create an app; prints its id and secret (the secret is shown only this once).
    Create {
        /// A name for people, e.g. the integrating system.
        #[arg(long)]
        name: String,
    },
    /// List the apps.
    List,
    /// Replace an app's secret with a new one; prints the new secret once.
    RotateSecret {
        /// The app id.
        app_id: String,
    },
    /// Disable an app: its tokens, secrets and dialect calls are refused until it is enabled.
    Disable {
        /// The app id.
        app_id: String,
    },
    /// Enable a disabled app again.
    Enable {
        /// The app id.
        app_id: String,
    },
}

pub(super) fn run(settings: Settings, command: AppCommand) -> anyhow::Result<ExitCode> {
    runtime::block_on(async move {
        let Runtime { signet, store } = Runtime::open(&settings).await?;
        match command {
            AppCommand::Create { name } => {
                let created = signet.create_app(&name).await?;
                println!("app id:     {}\napp secret: {}", created.app.id, created.secret);
            }
            AppCommand::List => {
                for app in signet.list_apps().await? {
                    let state = if app.disabled { "disabled" } else { "enabled" };
                    println!("{}\t{}\t{}", app.id, state, app.name);
                }
            }
            AppCommand::RotateSecret { app_id } => {
                let rotated = signet.rotate_app_secret(&AppId::parse(&app_id)?).await?;
                println!("app id:     {}\napp secret: {}", rotated.app.id, rotated.secret);
            }
            AppCommand::Disable { app_id } => {
                let app = signet.set_app_disabled(&AppId::parse(&app_id)?, true).await?;
                println!("{}\tdisabled", app.id);
            }
            AppCommand::Enable { app_id } => {
                let app = signet.set_app_disabled(&AppId::parse(&app_id)?, false).await?;
                println!("{}\tenabled", app.id);
            }
        }
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}
