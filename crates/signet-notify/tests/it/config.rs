use signet_notify::ProviderConfig;

use crate::code_sms;

#[tokio::test]
async fn outbox_setting_writes_into_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let config: ProviderConfig = "outbox".parse().unwrap();
    assert_eq!(config.kind(), "outbox");
    let sender = config.build(dir.path()).unwrap();
    sender.send(&code_sms("13800138000", "777777")).await.unwrap();
    let content = std::fs::read_to_string(dir.path().join("outbox.jsonl")).unwrap();
    let line: serde_json::Value = serde_json::from_str(content.trim_end()).unwrap();
    assert_eq!(line["purpose"]["code"], "777777");
}

#[test]
fn bad_settings_give_clear_errors() {
    let err = ProviderConfig::parse("aliyun://id:SECRETVALUE@dysmsapi.aliyuncs.com?template=SMS_1").unwrap_err();
    assert_eq!(err.to_string(), "invalid message provider setting: 'sign_name' is required");
    let err = ProviderConfig::parse("smtp://u:SECRETVALUE@h?from=bad address&tls=none").unwrap();
    // The setting parses (the address is checked when building) and building says why.
    let Err(build_err) = err.build(std::path::Path::new("/")) else { panic!("a bad from address must not build") };
    let build_err = build_err.to_string();
    assert!(build_err.contains("invalid from address"), "{build_err}");
    assert!(!build_err.contains("SECRETVALUE"));
}

#[tokio::test]
async fn channel_router_sends_each_channel_its_own_way() {
    let sms_dir = tempfile::tempdir().unwrap();
    let email_dir = tempfile::tempdir().unwrap();
    let router = signet_notify::ChannelRouter::new(
        ProviderConfig::Outbox.build(sms_dir.path()).unwrap(),
        ProviderConfig::Outbox.build(email_dir.path()).unwrap(),
    );
    use signet_core::notify::MessageSender;
    router.send(&code_sms("13800138000", "111111")).await.unwrap();
    let email = signet_core::notify::OutgoingMessage {
        channel: signet_core::notify::Channel::Email,
        recipient: "a@example.cn".into(),
        ..code_sms("", "222222")
    };
    router.send(&email).await.unwrap();
    let sms_lines = std::fs::read_to_string(sms_dir.path().join("outbox.jsonl")).unwrap();
    let email_lines = std::fs::read_to_string(email_dir.path().join("outbox.jsonl")).unwrap();
    assert_eq!(sms_lines.lines().count(), 1);
    assert!(sms_lines.contains("111111") && sms_lines.contains("\"channel\":\"sms\""));
    assert_eq!(email_lines.lines().count(), 1);
    assert!(email_lines.contains("222222") && email_lines.contains("\"channel\":\"email\""));
}
