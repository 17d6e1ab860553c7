//! Integration tests for signet-pki; OpenSSL is the referee.

mod ca;
mod custody;
mod issue;
mod support;
