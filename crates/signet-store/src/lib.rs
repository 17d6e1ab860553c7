//! Storage adapters: the metadata store on SQLite or PostgreSQL ([`SqlStore`]) and the object
//! store on local disk, S3 or memory ([`ObjectBlobStore`]).
//!
//! Architecture invariant: this is the only crate that contains SQL.

mod blob;
mod sql;

pub use blob::ObjectBlobStore;
pub use sql::SqlStore;
