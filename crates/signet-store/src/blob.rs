//! [`ObjectBlobStore`]: documents on local disk (default), S3-compatible storage, or memory.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};
use sha2::{Digest, Sha256};
use signet_core::ports::{BlobKey, BlobStore};
use signet_core::{Error, Result};

/// Content-addressed storage over any `object_store` backend.
#[derive(Clone, Debug)]
pub struct ObjectBlobStore {
    inner: Arc<dyn ObjectStore>,
}

impl ObjectBlobStore {
    /// Opens `file:///ABS/DIR` (or a plain directory path), `s3://BUCKET?endpoint=URL&region=R`
    /// (credentials from the usual `AWS_*` variables), or `memory://`.
    pub fn open(url: &str) -> Result<Self> {
        let inner: Arc<dyn ObjectStore> = if let Some(rest) = url.strip_prefix("s3://") {
            Arc::new(s3_from_url(rest)?)
        } else if url == "memory://" {
            Arc::new(InMemory::new())
        } else {
            let dir = url.strip_prefix("file://").unwrap_or(url);
            std::fs::create_dir_all(dir).map_err(Error::storage)?;
            Arc::new(LocalFileSystem::new_with_prefix(Path::new(dir)).map_err(Error::storage)?)
        };
        Ok(Self { inner })
    }
}

fn s3_from_url(rest: &str) -> Result<object_store::aws::AmazonS3> {
    let (bucket, query) = rest.split_once('?').unwrap_or((rest, ""));
    if bucket.is_empty() || bucket.contains('/') {
        return Err(Error::invalid("storage_url", "expected s3://BUCKET?endpoint=...&region=..."));
    }
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        builder = match key {
            "endpoint" => builder.with_endpoint(value).with_allow_http(value.starts_with("http://")),
            "region" => builder.with_region(value),
            "path_style" => builder.with_virtual_hosted_style_request(value != "true"),
            other => return Err(Error::invalid("storage_url", format!("unknown S3 option {other:?}"))),
        };
    }
    builder.build().map_err(Error::storage)
}

fn object_path(key: &BlobKey) -> ObjectPath {
    ObjectPath::from(key.as_str())
}

#[async_trait]
impl BlobStore for ObjectBlobStore {
    async fn ping(&self) -> Result<()> {
        // A listing of an empty prefix proves the bucket or directory answers.
        let prefix = ObjectPath::from("sha256");
        self.inner.list_with_delimiter(Some(&prefix)).await.map(drop).map_err(Error::storage)
    }

    async fn put(&self, bytes: Bytes) -> Result<BlobKey> {
        let key = BlobKey::for_sha256(&Sha256::digest(&bytes).into());
        let path = object_path(&key);
        // Content-addressed: an existing object already holds these exact bytes.
        match self.inner.head(&path).await {
            Ok(_) => return Ok(key),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(err) => return Err(Error::storage(err)),
        }
        self.inner.put(&path, PutPayload::from(bytes)).await.map_err(Error::storage)?;
        Ok(key)
    }

    async fn get(&self, key: &BlobKey) -> Result<Bytes> {
        match self.inner.get(&object_path(key)).await {
            Ok(result) => result.bytes().await.map_err(Error::storage),
            Err(object_store::Error::NotFound { .. }) => Err(Error::NotFound("object")),
            Err(err) => Err(Error::storage(err)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_store_is_content_addressed_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = ObjectBlobStore::open(dir.path().to_str().unwrap()).unwrap();
        store.ping().await.unwrap();
        let key = store.put(Bytes::from_static(b"%PDF-1.7 hello")).await.unwrap();
        assert_eq!(store.put(Bytes::from_static(b"%PDF-1.7 hello")).await.unwrap(), key);
        assert_eq!(store.get(&key).await.unwrap(), Bytes::from_static(b"%PDF-1.7 hello"));
        let missing = BlobKey::for_sha256(&[0; 32]);
        assert!(matches!(store.get(&missing).await, Err(Error::NotFound(_))));
    }
}
