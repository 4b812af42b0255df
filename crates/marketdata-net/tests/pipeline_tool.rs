//! `md-pipeline` end to end, small: a faulty wire, the segment files and a local JetStream
//! journal; its JSON says the client ended in sync, the files account for every sequence number
//! and the journal read back equals them.

use std::process::Command;

#[test]
fn md_pipeline_runs_the_whole_pipeline_and_reports_it() {
    let dir = std::env::temp_dir().join(format!("md-pipeline-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_md-pipeline"))
        .args([
            "--updates",
            "8000",
            "--rate",
            "20",
            "--faulty",
            "--nats-local",
            "--log-dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["in_sync"], true, "{report}");
    assert!(report["resyncs"].as_u64().unwrap() > 0, "{report}");
    assert!(report["feed"]["dropped"].as_u64().unwrap() > 0, "{report}");
    assert_eq!(report["journal"]["equals_log"], true, "{report}");
    assert_eq!(
        report["journal"]["published"], report["log_records"],
        "{report}"
    );
    assert!(report["run_peak_rss_kib"].as_u64().is_some(), "{report}");
    let bad = Command::new(env!("CARGO_BIN_EXE_md-pipeline"))
        .args(["--rate", "0"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("updates_per_ms"));
    let _ = std::fs::remove_dir_all(&dir);
}
