//! `signet ca init | issue | revoke | list`: the built-in CA, on the same data directory and
//! database as the server (`SIGNET_DATA_DIR`, `SIGNET_DATABASE_URL`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Subcommand, ValueEnum};
use signet_core::Signet;
use signet_core::ids::AppId;
use signet_pki::{KeyAlgorithm, KeySigner, SoftwareKey, SubjectInfo, generate_pkcs8, write_pkcs12};

use crate::runtime::{self, Runtime};
use crate::settings::Settings;

#[derive(Debug, Subcommand)]
pub(super) enum CaCommand {
    /// Create the CA hierarchy if this database has none; prints the trust bundle (PEM) on stdout.
    Init,
    /// Issue a signing certificate with a new key, written to a PKCS#12 file.
    Issue {
        /// Subject common name (a person's or organisation's name).
        #[arg(long)]
        name: String,
        /// Organisation, for company certificates.
        #[arg(long)]
        org: Option<String>,
        /// Key algorithm.
        #[arg(long, value_enum)]
        algo: AlgoArg,
        /// Validity in days.
        #[arg(long, default_value_t = 365)]
        days: u32,
        /// The PKCS#12 file to write (key, certificate, chain).
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// Password protecting the PKCS#12 file.
        #[arg(long)]
        password: String,
        /// App the certificate is recorded under (default: the bootstrap app, else the oldest app).
        #[arg(long)]
        app: Option<String>,
    },
    /// Revoke a certificate: OCSP answers "revoked" and CRLs list it from now on.
    Revoke {
        /// Serial number in hex (as `ca list` prints it).
        #[arg(long)]
        serial: String,
    },
    /// List the certificates the CA issued.
    List,
}

/// Key algorithms `ca issue` offers.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum AlgoArg {
    Rsa2048,
    P256,
    Sm2,
}

impl AlgoArg {
    fn parse(self) -> anyhow::Result<KeyAlgorithm> {
        let name = match self {
            AlgoArg::Rsa2048 => "rsa2048",
            AlgoArg::P256 => "p256",
            AlgoArg::Sm2 => "sm2",
        };
        name.parse().map_err(|_| anyhow::anyhow!("the PKI engine does not know {name}"))
    }
}

pub(super) fn run(settings: Settings, command: CaCommand) -> anyhow::Result<ExitCode> {
    runtime::block_on(async move {
        let Runtime { signet, store } = Runtime::open(&settings).await?;
        let result = execute(&signet, &settings, command).await;
        store.close().await;
        result.map(|()| ExitCode::SUCCESS)
    })
}

async fn execute(signet: &Signet, settings: &Settings, command: CaCommand) -> anyhow::Result<()> {
    match command {
        CaCommand::Init => {
            let ca = &signet.pki().ca;
            eprintln!("CA ready (public URL {}); trust bundle follows", ca.public_url);
            print!("{}", signet.trust_bundle_pem());
        }
        CaCommand::Issue { name, org, algo, days, output, password, app } => {
            let algorithm = algo.parse()?;
            let app = issuing_app(signet, settings, app.as_deref()).await?;
            // Claim the output first: no certificate is issued for a key that could not be saved.
            let mut file = create_new_file(&output)?;
            let issued = issue_p12(signet, &app, algorithm, &name, org, days, &password).await;
            let (serial, p12) = match issued {
                Ok(done) => done,
                Err(err) => {
                    drop(file);
                    let _ = std::fs::remove_file(&output);
                    return Err(err);
                }
            };
            use std::io::Write;
            file.write_all(&p12)
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write {}", output.display()))?;
            println!("{serial}");
            eprintln!("issued {} certificate {serial} to {name:?}, written to {}", algorithm.name(), output.display());
        }
        CaCommand::Revoke { serial } => {
            let record = signet.revoke_certificate(&serial, None).await?;
            println!("revoked {}", record.serial);
        }
        CaCommand::List => {
            let now = time::OffsetDateTime::now_utc();
            for record in signet.list_certificates().await? {
                let subject = signet_pki::parse_certificate(&record.certificate_der)
                    .map(|c| c.tbs_certificate().subject().to_string())
                    .unwrap_or_else(|_| "(unreadable)".into());
                let state = match record.revoked_at {
                    Some(_) => "revoked",
                    None if record.not_after <= now => "expired",
                    None => "valid",
                };
                let owner = record.account_id.as_ref().map_or_else(|| "-".to_owned(), |a| a.as_str().to_owned());
                println!(
                    "{}\t{state}\t{}\t{}\t{owner}\t{subject}",
                    record.serial,
                    record.not_before.date(),
                    record.not_after.date()
                );
            }
        }
    }
    Ok(())
}

/// The app CLI-issued certificates are recorded under.
async fn issuing_app(signet: &Signet, settings: &Settings, requested: Option<&str>) -> anyhow::Result<AppId> {
    if let Some(id) = requested.or(settings.bootstrap_app_id.as_deref()) {
        let id = AppId::parse(id)?;
        runtime::bootstrap_app(signet, settings).await?;
        signet.app(&id).await.with_context(|| format!("no app {id}"))?;
        return Ok(id);
    }
    runtime::bootstrap_app(signet, settings).await?;
    let apps = signet.list_apps().await?;
    match apps.into_iter().min_by_key(|a| a.created_at) {
        Some(app) => Ok(app.id),
        None => bail!("no app to record the certificate under: create one with `signet app create`"),
    }
}

/// Issues a certificate for a new key and packs both into a PKCS#12 file; returns (serial, file).
async fn issue_p12(
    signet: &Signet,
    app: &AppId,
    algorithm: KeyAlgorithm,
    name: &str,
    org: Option<String>,
    days: u32,
    password: &str,
) -> anyhow::Result<(String, Vec<u8>)> {
    let pkcs8 = tokio::task::spawn_blocking(move || generate_pkcs8(algorithm)).await??;
    let spki = SoftwareKey::from_pkcs8(algorithm, &pkcs8)?.public_key_der();
    let subject = SubjectInfo {
        common_name: name.to_owned(),
        organisation: org,
        organisational_unit: None,
        country: None,
        serial_number: None,
    };
    let record = signet
        .issue_standalone_certificate(app, spki, subject, time::Duration::days(days.into()))
        .await
        .context("the CA refused to issue the certificate")?;
    let family = signet_pki::certificate_family(&record.certificate_der)?;
    let chain = signet.pki().ca.chain_for(family)?;
    let p12 = write_pkcs12(&pkcs8, &record.certificate_der, &chain, password, Some(name))?;
    Ok((record.serial, p12))
}

/// Creates a new file (never over an existing one), readable by its owner only: it will hold a key.
fn create_new_file(path: &std::path::Path) -> anyhow::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).with_context(|| format!("cannot create {} (does it exist?)", path.display()))
}
