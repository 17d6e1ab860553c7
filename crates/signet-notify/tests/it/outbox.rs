use std::collections::HashSet;

use signet_core::notify::{Channel, MessageSender, OutgoingMessage, Purpose};
use signet_notify::OutboxFile;

use crate::code_sms;

#[tokio::test]
async fn appends_one_json_line_per_message() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = OutboxFile::in_data_dir(dir.path());
    assert_eq!(outbox.path(), dir.path().join("outbox.jsonl"));

    outbox.send(&code_sms("13800138000", "123456")).await.unwrap();
    let link = OutgoingMessage {
        channel: Channel::Email,
        recipient: "zhang.san@example.cn".into(),
        purpose: Purpose::SigningLink {
            url: "https://sign.example.cn/s/abc".into(), flow_title: "租赁合同".into()
        },
        text: "请签署《租赁合同》\nhttps://sign.example.cn/s/abc".into(),
    };
    outbox.send(&link).await.unwrap();

    let content = std::fs::read_to_string(outbox.path()).unwrap();
    let lines: Vec<serde_json::Value> = content.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["channel"], "sms");
    assert_eq!(lines[0]["recipient"], "13800138000");
    assert_eq!(lines[0]["purpose"]["type"], "verification_code");
    assert_eq!(lines[0]["purpose"]["code"], "123456");
    assert_eq!(lines[0]["purpose"]["valid_minutes"], 15);
    assert!(lines[0]["text"].as_str().unwrap().contains("123456"));
    let time = lines[0]["time"].as_str().unwrap();
    time::OffsetDateTime::parse(time, &time::format_description::well_known::Rfc3339).unwrap();
    assert_eq!(lines[1]["channel"], "email");
    assert_eq!(lines[1]["purpose"]["type"], "signing_link");
    assert_eq!(lines[1]["purpose"]["flow_title"], "租赁合同");
    assert!(content.ends_with('\n'));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(outbox.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "outbox must not be readable by others: {mode:o}");
    }
}

/// Many writers with their own file handles (as separate processes would have) and lines far
/// larger than a pipe buffer: every line must come out whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_never_interleave() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.jsonl");
    let filler = "签".repeat(20_000);
    let mut tasks = Vec::new();
    for writer in 0..8 {
        let path = path.clone();
        let filler = filler.clone();
        tasks.push(tokio::spawn(async move {
            let outbox = OutboxFile::new(path);
            for n in 0..10 {
                let mut message = code_sms("13800138000", &format!("{writer}-{n}"));
                message.text = filler.clone();
                outbox.send(&message).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let content = std::fs::read_to_string(&path).unwrap();
    let mut codes = HashSet::new();
    for line in content.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("every line is one whole JSON object");
        assert_eq!(value["text"].as_str().unwrap().len(), filler.len());
        codes.insert(value["purpose"]["code"].as_str().unwrap().to_string());
    }
    assert_eq!(codes.len(), 80);
}

const CHILD_ENV: &str = "SIGNET_NOTIFY_OUTBOX_CHILD";

/// Separate processes appending to one outbox. The test runs its own binary again as the
/// writers: with `SIGNET_NOTIFY_OUTBOX_CHILD=<path>:<writer>` it is a writer, else the parent.
#[tokio::test]
async fn concurrent_processes_never_interleave() {
    let filler = "章".repeat(30_000);
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        let (path, writer) = spec.rsplit_once(':').expect("child spec is <path>:<writer>");
        let outbox = OutboxFile::new(path);
        for n in 0..20 {
            let mut message = code_sms("13800138000", &format!("p{writer}-{n}"));
            message.text = filler.clone();
            outbox.send(&message).await.unwrap();
        }
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.jsonl");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..6)
        .map(|writer| {
            std::process::Command::new(&exe)
                .args(["--exact", "outbox::concurrent_processes_never_interleave", "--test-threads=1"])
                .env(CHILD_ENV, format!("{}:{writer}", path.display()))
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a writer process failed");
    }
    let content = std::fs::read_to_string(&path).unwrap();
    let mut codes = HashSet::new();
    for line in content.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("every line is one whole JSON object");
        assert_eq!(value["text"].as_str().unwrap(), filler);
        codes.insert(value["purpose"]["code"].as_str().unwrap().to_string());
    }
    assert_eq!(codes.len(), 120, "every message of every process is there once");
}

#[tokio::test]
async fn unwritable_outbox_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the file should be.
    let outbox = OutboxFile::new(dir.path());
    let err = outbox.send(&code_sms("13800138000", "1")).await.unwrap_err();
    assert_eq!(err.code(), signet_core::ErrorCode::Internal);
}
