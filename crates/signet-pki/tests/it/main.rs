//! Integration tests for signet-pki; OpenSSL is the referee.

mod ca;
mod cms;
mod custody;
mod issue;
mod support;
mod tsa;
