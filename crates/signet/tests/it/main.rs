//! End-to-end tests of the `signet` binary: each test starts the real server process on a
//! random port against a real database and object store, and talks HTTP to it.

mod accounts;
mod callbacks;
mod cli_sign;
mod cli_support;
mod concurrency;
mod enterprise_verification;
mod esign;
mod evidence;
mod external_ca;
mod face;
mod flows;
mod pages;
mod pki_endpoints;
mod qiandun;
mod scene_certificates;
mod serve;
mod service_pades;
mod service_pkcs11;
mod support;
mod sweep;
mod templates;
mod tsa_settings;
mod validators;
mod verification;
mod wosign;
mod yunhetong;
