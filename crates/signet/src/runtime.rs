//! The composition root: turns [`Settings`] into a running [`Signet`] with its adapters.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use signet_core::clock::SystemClock;
use signet_core::pki::{KeyStorage, Pki, TsaSettings};
use signet_core::secrets::SecretKeys;
use signet_core::{Signet, SignetConfig};
use signet_pki::{CaSettings, MasterKey};
use signet_store::{ObjectBlobStore, SqlStore};

use crate::settings::Settings;

/// The service and the store handle needed to close it cleanly.
pub struct Runtime {
    pub signet: Signet,
    pub store: SqlStore,
}

impl Runtime {
    /// Opens the database and object store, checks the master key, and loads or creates the CA.
    pub async fn open(settings: &Settings) -> anyhow::Result<Self> {
        fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("failed to create the data directory {}", settings.data_dir.display()))?;
        let store = SqlStore::connect(&settings.database_url()).await.context("failed to open the database")?;
        let blobs = ObjectBlobStore::open(&settings.storage_url()).context("failed to open the object store")?;

        let master = master_key(settings, &store).await?;
        let ca_settings = CaSettings::new(settings.public_url(), settings.ca_organization.clone());
        let keys = SecretKeys::from_master(&master).context("failed to derive keys from the master key")?;
        let storage = key_storage(settings)?;
        if settings.tsa_policy_oid.trim() == signet_pki::DEFAULT_TSA_POLICY.to_string() {
            tracing::warn!(
                "tsa_policy_oid is the placeholder {}: set your organisation's TSA policy OID",
                signet_pki::DEFAULT_TSA_POLICY
            );
        }
        let tsa =
            TsaSettings { policy_oid: settings.tsa_policy_oid.clone(), accuracy_millis: settings.tsa_accuracy_ms };
        let pki =
            Pki::load_or_create(&store, master, &ca_settings, storage, tsa).await.context("failed to load the PKI")?;
        let config = signet_config(settings)?;
        let messages = message_sender(settings)?;
        let signet =
            Signet::new(Arc::new(store.clone()), Arc::new(blobs), messages, Arc::new(SystemClock), keys, pki, config)
                .with_verification(verification_provider(settings)?);
        let signet = match face_verifier(settings)? {
            Some(face) => signet.with_face_verifier(face),
            None => signet,
        };
        Ok(Self { signet, store })
    }
}

/// SMS and e-mail delivery as configured.
fn message_sender(settings: &Settings) -> anyhow::Result<Arc<dyn signet_core::notify::MessageSender>> {
    let build = |name: &str, url: &str| -> anyhow::Result<Arc<dyn signet_core::notify::MessageSender>> {
        let config = signet_notify::ProviderConfig::parse(url).with_context(|| format!("invalid {name}"))?;
        tracing::info!(provider = %config, "{name}");
        config.build(&settings.data_dir).with_context(|| format!("failed to set up {name}"))
    };
    let sms = build("sms_provider", &settings.sms_provider)?;
    let email = build("email_provider", &settings.email_provider)?;
    Ok(Arc::new(signet_notify::ChannelRouter::new(sms, email)))
}

/// The PKCS#11 token, when one is configured, and which new keys go into it.
fn key_storage(settings: &Settings) -> anyhow::Result<KeyStorage> {
    let Some(module) = &settings.pkcs11_module else { return Ok(KeyStorage::default()) };
    let pin = match (&settings.pkcs11_pin, &settings.pkcs11_pin_file) {
        (Some(pin), None) => zeroize::Zeroizing::new(pin.clone()),
        (None, Some(path)) => zeroize::Zeroizing::new(
            fs::read_to_string(path)
                .with_context(|| format!("failed to read pkcs11_pin_file {path}"))?
                .trim()
                .to_owned(),
        ),
        (Some(_), Some(_)) => bail!("set pkcs11_pin or pkcs11_pin_file, not both"),
        (None, None) => bail!("pkcs11_module needs the token's PIN: pkcs11_pin_file (or pkcs11_pin)"),
    };
    let (mut ca_keys_in_token, mut account_keys_in_token) = (false, false);
    for part in settings.pkcs11_keys.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part {
            "ca" => ca_keys_in_token = true,
            "accounts" => account_keys_in_token = true,
            other => bail!("pkcs11_keys: unknown key kind {other:?} (expected ca and/or accounts)"),
        }
    }
    let (token, name) = match (&settings.pkcs11_token_label, settings.pkcs11_slot) {
        (Some(label), None) => (signet_pki::Pkcs11Custody::open(module, label, &pin), format!("{label:?}")),
        (None, Some(slot)) => (signet_pki::Pkcs11Custody::open_slot(module, slot, &pin), format!("in slot {slot}")),
        _ => bail!("pkcs11_module needs pkcs11_token_label or pkcs11_slot (one of them)"),
    };
    let token = token.with_context(|| format!("failed to open the PKCS#11 token {name} in {module}"))?;
    tracing::info!(token = %name, ca_keys_in_token, account_keys_in_token, "PKCS#11 key custody");
    Ok(KeyStorage { token: Some(token), ca_keys_in_token, account_keys_in_token })
}

/// The real-name verification source as configured.
fn verification_provider(
    settings: &Settings,
) -> anyhow::Result<Arc<dyn signet_core::verification::VerificationProvider>> {
    let config = signet_notify::VerificationConfig::parse(&settings.verification_provider)
        .context("invalid verification_provider")?;
    tracing::info!(provider = %config, "verification_provider");
    let enterprise = signet_notify::EnterpriseVerificationConfig::parse(&settings.enterprise_verification_provider)
        .context("invalid enterprise_verification_provider")?;
    tracing::info!(provider = %enterprise, "enterprise_verification_provider");
    config.build(enterprise, &settings.data_dir).context("failed to set up verification_provider")
}

/// The face verifier of authorization pages as configured (`None`: pages offer SMS instead).
fn face_verifier(settings: &Settings) -> anyhow::Result<Option<Arc<dyn signet_core::verification::FaceVerifier>>> {
    let config = signet_notify::FaceVerifierConfig::parse(&settings.face_verifier).context("invalid face_verifier")?;
    tracing::info!(verifier = %config, "face_verifier");
    config.build().context("failed to set up face_verifier")
}

/// Per-scene certificates live minutes up to a day.
fn scene_validity(minutes: u32) -> anyhow::Result<time::Duration> {
    if !(1..=24 * 60).contains(&minutes) {
        bail!("scene_certificate_minutes must be 1 to 1440, not {minutes}");
    }
    Ok(time::Duration::minutes(minutes.into()))
}

/// The domain's settings.
fn signet_config(settings: &Settings) -> anyhow::Result<SignetConfig> {
    let account_key_algorithm = settings
        .account_key_algorithm
        .parse()
        .map_err(|_| anyhow::anyhow!("unknown account_key_algorithm {:?}", settings.account_key_algorithm))?;
    Ok(SignetConfig {
        token_ttl: time::Duration::seconds(settings.token_ttl_secs.into()),
        account_key_algorithm,
        certificate_validity: time::Duration::days(settings.certificate_validity_days.into()),
        max_file_bytes: settings.max_upload_bytes as u64,
        code_validity: time::Duration::seconds(settings.code_validity_secs.max(1).into()),
        link_validity: time::Duration::seconds(settings.link_validity_secs.max(1).into()),
        pades_level: settings.pades_level.parse().map_err(|e: String| anyhow::anyhow!("pades_level: {e}"))?,
        scene_certificates: settings.scene_certificates,
        scene_certificate_validity: scene_validity(settings.scene_certificate_minutes)?,
    })
}

/// The master key from `SIGNET_MASTER_KEY`, else `<data_dir>/master.key`, else a new one.
///
/// A new key is only made for a database that has never had one; otherwise a missing key is a
/// startup error, because a new key could never open the keys the database already holds.
async fn master_key(settings: &Settings, store: &SqlStore) -> anyhow::Result<MasterKey> {
    if let Some(encoded) = &settings.master_key {
        return MasterKey::from_base64(encoded.trim()).context("SIGNET_MASTER_KEY is not the base64 of 32 bytes");
    }
    let path = settings.data_dir.join("master.key");
    if path.exists() {
        let encoded = fs::read_to_string(&path).with_context(|| format!("failed to read {}", path.display()))?;
        return MasterKey::from_base64(encoded.trim())
            .with_context(|| format!("{} does not hold the base64 of 32 bytes", path.display()));
    }
    if Pki::is_initialised(store).await? {
        bail!(
            "the master key is missing: this database was initialised with one; \
             set SIGNET_MASTER_KEY or restore {}",
            path.display()
        );
    }
    let key = MasterKey::generate().context("failed to generate a master key")?;
    write_secret_file(&path, key.to_base64().as_bytes())?;
    tracing::info!(path = %path.display(), "generated a new master key; back it up: without it the keys are lost");
    Ok(key)
}

/// Writes a new file readable by its owner only, never replacing an existing one.
fn write_secret_file(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| format!("failed to create {}", path.display()))?;
    file.write_all(contents)?;
    file.sync_all()?;
    Ok(())
}

/// Creates the bootstrap app from the settings, or on a first start without one, a generated
/// app whose credentials are printed once.
pub async fn bootstrap_app(signet: &Signet, settings: &Settings) -> anyhow::Result<()> {
    match (&settings.bootstrap_app_id, &settings.bootstrap_app_key) {
        (Some(id), Some(key)) => {
            signet
                .ensure_bootstrap_app(
                    id,
                    key,
                    settings.bootstrap_callback_url.as_deref(),
                    settings.bootstrap_callback_secret.as_deref(),
                )
                .await
                .context("failed to create the bootstrap app")?;
        }
        (Some(_), None) | (None, Some(_)) => {
            bail!("SIGNET_BOOTSTRAP_APP_ID and SIGNET_BOOTSTRAP_APP_KEY must be set together")
        }
        (None, None) => {
            if signet.list_apps().await?.is_empty() {
                let created = signet.create_app("default").await?;
                println!(
                    "created the first app; its secret is shown only now:\n  app id:     {}\n  app secret: {}",
                    created.app.id, created.secret
                );
            }
        }
    }
    Ok(())
}

/// Runs a future on a fresh multi-threaded runtime.
pub fn block_on<T>(future: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("failed to start tokio")?;
    runtime.block_on(future)
}
