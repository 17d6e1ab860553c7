//! The Signet deployment configured on this machine, for CLI commands run on the server host
//! without `--tsa`: its built-in TSA timestamps, and the URLs its CA writes into certificates
//! (`<public URL>/pki/...`) are answered in-process, so B-LT/B-LTA work even when the public
//! URL is not reachable from here. Other URLs still go over HTTP.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use signet_core::Signet;
use signet_pki::TimestampAuthority;
use signet_store::SqlStore;

use super::validation_data::{Http, Transport};
use crate::runtime::Runtime;
use crate::settings::Settings;

/// An opened deployment.
pub struct Deployment {
    tokio: tokio::runtime::Runtime,
    signet: Signet,
    store: SqlStore,
    public_url: String,
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
        let public_url = signet.pki().ca.public_url.trim_end_matches('/').to_owned();
        Ok(Self { tokio, signet, store, public_url, http: Http::new(Duration::from_secs(30))? })
    }

    /// The deployment's time-stamping authority.
    pub fn tsa(&self) -> anyhow::Result<TimestampAuthority> {
        let pki = self.signet.pki();
        TimestampAuthority::from_ca(&pki.ca, &pki.custody).context("cannot load the deployment's TSA")
    }

    /// The path of `url` under this deployment's PKI, if it is one of ours.
    fn own_path<'u>(&self, url: &'u str) -> Option<&'u str> {
        url.strip_prefix(&self.public_url).and_then(|rest| rest.strip_prefix("/pki/"))
    }

    /// Closes the database cleanly.
    pub fn close(self) {
        self.tokio.block_on(self.store.close());
    }
}

impl Transport for Deployment {
    fn get(&self, url: &str) -> anyhow::Result<Vec<u8>> {
        let Some(path) = self.own_path(url) else { return self.http.get(url) };
        if let Some(name) = path.strip_prefix("ca/").and_then(|f| f.strip_suffix(".cer")) {
            return Ok(self.signet.ca_certificate_der(name)?);
        }
        if let Some(name) = path.strip_prefix("crl/").and_then(|f| f.strip_suffix(".crl")) {
            return Ok(self.tokio.block_on(self.signet.crl(name))?);
        }
        bail!("{url} is not a PKI resource of this deployment")
    }

    fn post(&self, url: &str, content_type: &str, body: Vec<u8>) -> anyhow::Result<Vec<u8>> {
        match self.own_path(url) {
            Some("ocsp") => Ok(self.tokio.block_on(self.signet.ocsp_respond(body))?),
            Some(_) => bail!("{url} is not a PKI resource of this deployment"),
            None => self.http.post(url, content_type, body),
        }
    }
}
