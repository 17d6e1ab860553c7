//! Integration tests of signet-tlog: published vectors, properties over all small trees, read
//! counts through the store trait, and signed tree heads.

mod checkpoints;
mod properties;
mod reads;
mod support;
mod vectors;
