//! The Signet deployment configured on this machine, for CLI commands run on the server host
//! without `--tsa`: its built-in TSA timestamps, and the URLs its CA writes into certificates
//! (`<public URL>/pki/...`) are answered in-process, so B-LT/B-LTA work even when the public
//! URL is not reachable from here. Other URLs still go over HTTP.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use signet_core::error::BoxError;
use signet_core::validation_data::ValidationSource;
use signet_core::{OwnPki, Signet};
use signet_pki::TimestampAuthority;
use signet_store::SqlStore;

use super::validation_data::Http;
use crate::runtime::Runtime;
use crate::settings::Settings;

/// An opened deployment.
pub struct Deployment {
    tokio: tokio::runtime::Runtime,
    signet: Signet,
    store: SqlStore,
    own: OwnPki,
    http: Http,
}

impl Deployment {
    /// Opens the configured deployment, refusing to create one (a new CA and master key) when
    /// there is none yet: `why` says what it was wanted for.
    pub fn open_existing(settings: &Settings, why: &str) -> anyhow::Result<Self> {
        if let Some(path) = settings.database_url().strip_prefix("sqlite://")
            && !Path::new(path.split('?').next().unwrap_or(path)).exists()
        {
            bail!("{why}: pass --tsa URL, or run on a Signet deployment (none in {})", settings.data_dir.display());
        }
        let tokio =
            tokio::runtime::Builder::new_multi_thread().enable_all().build().context("failed to start tokio")?;
        let Runtime { signet, store } = tokio.block_on(Runtime::open(settings))?;
        let own = {
            let _entered = tokio.enter();
            signet.own_pki()?
        };
        Ok(Self { tokio, signet, store, own, http: Http::new(Duration::from_secs(30))? })
    }

    /// The deployment's time-stamping authority.
    pub fn tsa(&self) -> anyhow::Result<TimestampAuthority> {
        self.signet.pki().timestamp_authority().context("cannot load the deployment's TSA")
    }

    /// Closes the database cleanly.
    pub fn close(self) {
        self.tokio.block_on(self.store.close());
    }
}

/// The deployment's own PKI URLs are answered in-process, others over HTTP.
impl ValidationSource for Deployment {
    fn get(&self, url: &str) -> Result<Vec<u8>, BoxError> {
        if self.own.answers(url) { self.own.get(url) } else { self.http.get(url) }
    }

    fn post(&self, url: &str, content_type: &str, body: Vec<u8>) -> Result<Vec<u8>, BoxError> {
        if self.own.answers(url) {
            self.own.post(url, content_type, body)
        } else {
            self.http.post(url, content_type, body)
        }
    }
}
