//! Delivery adapters for [`signet_core::notify::MessageSender`]: how willingness codes and
//! signing invitations leave the service.
//!
//! | Provider | Type | Channel |
//! |---|---|---|
//! | development outbox | [`OutboxFile`] | any (one JSON line per message) |
//! | SMTP relay | [`SmtpSender`] | e-mail |
//! | Aliyun Dysms `SendSms` | [`AliyunSms`] | SMS |
//! | Tencent Cloud SMS `SendSms` (API 3.0) | [`TencentSms`] | SMS |
//!
//! It also holds the real-name verification source ([`VerificationConfig`]): Tencent Cloud
//! FaceID's element checks ([`TencentFaceId`]), which share the TC3 request signing with SMS,
//! and the face verifier for willingness ([`FaceVerifierConfig`], FaceID's H5 face check).
//!
//! # Settings
//!
//! A deployment picks one provider with a single setting (`SIGNET_SMS_PROVIDER`, or the e-mail
//! equivalent) parsed by [`ProviderConfig::parse`] and turned into a sender by
//! [`ProviderConfig::build`]:
//!
//! ```text
//! outbox
//! smtp://USER:PASSWORD@HOST:PORT?tls=starttls&from=Signet%20%3Cnoreply@example.com%3E
//! smtps://USER:PASSWORD@HOST?from=noreply@example.com
//! aliyun://ACCESS_KEY_ID:ACCESS_KEY_SECRET@dysmsapi.aliyuncs.com?sign_name=签名&template=SMS_123
//! tencent://SECRET_ID:SECRET_KEY@sms.tencentcloudapi.com?app_id=1400000000&sign_name=签名&template=123456&region=ap-guangzhou
//! ```
//!
//! - `outbox` appends to `<data dir>/outbox.jsonl`.
//! - `smtp`: `tls` is `none`, `starttls` (default) or `tls` (implicit TLS, also chosen by the
//!   `smtps` scheme); the port defaults to 25, 587 or 465 accordingly; `from` is required (an
//!   address or `Name <address>`); user and password are optional; `ca_file=/path/ca.pem` adds a
//!   private root CA; `timeout_secs` (default 10).
//! - `aliyun`: `sign_name` and `template` (the verification-code template, parameter `code`)
//!   are required; `link_template` (parameters `title`, `url`) enables signing links and
//!   `signed_template` (the same parameters) notices of automatic signatures;
//!   `region` defaults to `cn-hangzhou`.
//! - `tencent`: `app_id` (SmsSdkAppId), `sign_name` and `template` (the verification-code
//!   template, parameters `{1}` code and `{2}` minutes) are required; `link_template`
//!   (parameters `{1}` title, `{2}` url) enables signing links and `signed_template` (the same
//!   parameters) notices of automatic signatures; `region` defaults to
//!   `ap-guangzhou`.
//! - Every HTTP vendor accepts `endpoint=http://127.0.0.1:PORT` to send somewhere else than the
//!   host in the URL (tests, private gateways).
//!
//! SMS and e-mail usually use different providers (say `SIGNET_SMS_PROVIDER=aliyun://…` and
//! an `smtp://…` setting for e-mail); [`ChannelRouter`] combines the two into the one
//! `MessageSender` the core takes.
//!
//! Credentials are percent-decoded, so secrets containing `/`, `+`, `@` or `:` must be written
//! percent-encoded. Secrets are held in [`Secret`], whose `Debug` output is redacted, so a
//! logged configuration never shows them.

mod aliyun;
pub mod aliyun_sign;
mod config;
mod error;
mod esign_identity;
mod face_h5;
mod faceid;
mod outbox;
mod phone;
mod router;
mod secret;
mod smtp;
mod tencent;
pub mod tencent_sign;
mod verification;

pub use aliyun::{AliyunConfig, AliyunSms};
pub use config::{ConfigError, ProviderConfig};
pub use error::NotifyError;
pub use esign_identity::{EsignIdentity, EsignIdentityConfig};
pub use face_h5::{FaceVerifierConfig, TencentFaceH5, TencentFaceH5Config};
pub use faceid::{FaceIdConfig, TencentFaceId};
pub use outbox::OutboxFile;
pub use router::ChannelRouter;
pub use secret::Secret;
pub use smtp::{SmtpConfig, SmtpSender, SmtpTls};
pub use tencent::{TencentConfig, TencentSms};
pub use verification::{EnterpriseVerificationConfig, VerificationConfig};
