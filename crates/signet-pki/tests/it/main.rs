//! Integration tests for signet-pki; OpenSSL is the referee.

mod ca;
mod cms;
mod custody;
mod hostile_input;
mod issue;
mod pkcs11;
mod pkcs12;
mod pyhanko;
mod revocation;
mod support;
mod tsa;
