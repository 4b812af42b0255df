//! `md-record` writes a session's log as segment files; `md-replay` rebuilds the book at an
//! offset from them and checks it against the checksum that record carries.

use std::process::Command;

#[test]
fn a_recorded_log_replays_at_any_offset_and_damage_is_reported() {
    let dir = std::env::temp_dir().join(format!("md-record-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let rec = Command::new(env!("CARGO_BIN_EXE_md-record"))
        .args(["--seed", "4", "--ticks", "6000", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        rec.status.success(),
        "{}",
        String::from_utf8_lossy(&rec.stderr)
    );
    let said = String::from_utf8_lossy(&rec.stdout).to_string();
    assert!(said.contains("in sync: true"), "{said}");
    let records: u64 = said.split(' ').next().unwrap().parse().unwrap();
    let replay = |offset: u64| {
        Command::new(env!("CARGO_BIN_EXE_md-replay"))
            .arg(&dir)
            .args(["--offset", &offset.to_string()])
            .output()
            .unwrap()
    };
    for offset in [0, records / 3, records - 1] {
        let out = replay(offset);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{offset}: {text}");
        assert!(text.contains("matches the record's"), "{text}");
    }
    assert!(!replay(records).status.success());
    // Damage the first segment's last bytes: the replay names the broken record.
    let first = dir.join("00000000000000000000.seg");
    let mut bytes = std::fs::read(&first).unwrap();
    let n = bytes.len();
    bytes[n - 5] ^= 0x01;
    std::fs::write(&first, bytes).unwrap();
    let out = replay(records - 1);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("fails its CRC"));
    let _ = std::fs::remove_dir_all(&dir);
}
