//! The `limit-replay` binary against its protocol: one output line per input line (none for a
//! `#` comment), ERROR lines
//! for malformed input and time going backwards, a non-zero exit with one line for bad configs.

use proptest::prelude::*;
use ratelimit::replay::{parse_args, Replay};
use std::io::Write;
use std::process::{Command, Stdio};

fn replay(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_limit-replay"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let _ = input.write_all(stdin);
    drop(input);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn replays_the_protocol_line_by_line() {
    let input = "0 alice\n0 alice\n0 alice\n500000000 alice\nnot-a-line\n100 bob\n600000000 bob x\n\n600000000 bob\n";
    let (code, out, _) = replay(
        &["--algo", "token-bucket", "--rate", "2", "--burst", "2"],
        input.as_bytes(),
    );
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "ALLOW 1\nALLOW 0\nDENY 500000000\nALLOW 0\n\
         ERROR 5 missing key, expected '<time_ns> <key>'\n\
         ERROR 6 time is earlier than the previous line's\n\
         ERROR 7 too many fields, expected '<time_ns> <key>'\n\
         ERROR 8 empty line, expected '<time_ns> <key>'\n\
         ALLOW 1\n"
    );
}

#[test]
fn comment_lines_print_nothing_and_keep_line_numbers() {
    let input =
        "# limit-replay --algo gcra --rate 1 --burst 1 --window-ms 1000\n0 a\n#\r\n0 a\nbad\n";
    let (code, out, _) = replay(
        &["--algo", "gcra", "--rate", "1", "--burst", "1"],
        input.as_bytes(),
    );
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "ALLOW 0\nDENY 1000000000\nERROR 5 missing key, expected '<time_ns> <key>'\n"
    );
}

#[test]
fn every_algorithm_name_is_accepted_with_defaults() {
    for algo in [
        "token-bucket",
        "gcra",
        "fixed-window",
        "sliding-log",
        "sliding-window",
    ] {
        let (code, out, _) = replay(
            &["--algo", algo, "--rate", "1", "--burst", "1"],
            b"0 k\n1 k\n",
        );
        assert_eq!(code, 0, "{algo}");
        assert_eq!(out.lines().count(), 2);
        assert!(out.starts_with("ALLOW 0\nDENY "), "{algo}: {out}");
    }
    let args =
        parse_args(["--algo", "gcra", "--rate", "5", "--burst", "1"].map(String::from)).unwrap();
    assert_eq!(args.config.window_ms, 1000);
    assert_eq!(args.max_keys, 100_000);
}

#[test]
fn invalid_configs_exit_non_zero_with_one_line_before_reading_input() {
    for args in [
        vec!["--algo", "leaky", "--rate", "1", "--burst", "1"],
        vec!["--algo", "gcra", "--rate", "0", "--burst", "1"],
        vec!["--algo", "gcra", "--rate", "1", "--burst", "0"],
        vec!["--algo", "gcra", "--rate", "2000000000", "--burst", "1"],
        vec![
            "--algo",
            "fixed-window",
            "--rate",
            "1",
            "--burst",
            "1",
            "--window-ms",
            "0",
        ],
        vec![
            "--algo",
            "fixed-window",
            "--rate",
            "3",
            "--burst",
            "1",
            "--window-ms",
            "10",
        ],
        vec![
            "--algo",
            "gcra",
            "--rate",
            "1",
            "--burst",
            "1",
            "--max-keys",
            "0",
        ],
        vec!["--algo", "gcra", "--rate", "x", "--burst", "1"],
        vec!["--algo", "gcra", "--burst", "1"],
        vec!["--algo", "gcra", "--rate", "1", "--burst"],
        vec!["--bogus", "1"],
    ] {
        let (code, out, err) = replay(&args, b"0 a\n");
        assert_ne!(code, 0, "{args:?}");
        assert_eq!(out, "", "{args:?}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Arbitrary bytes: never a panic, exactly one output line per input line.
    #[test]
    fn any_input_gives_one_line_per_line(
        lines in prop::collection::vec(
            prop_oneof![
                prop::collection::vec(any::<u8>(), 0..24),
                (0u64..u64::MAX, "[a-z]{1,3}").prop_map(|(t, k)| format!("{t} {k}").into_bytes()),
                (0u64..3_000_000_000, 0u8..4).prop_map(|(t, k)| format!("{t} k{k}").into_bytes()),
            ],
            0..60,
        ),
        algo in prop::sample::select(vec!["token-bucket", "gcra", "fixed-window", "sliding-log", "sliding-window"]),
    ) {
        let args = parse_args(
            ["--algo", algo, "--rate", "4", "--burst", "3", "--window-ms", "500", "--max-keys", "8"]
                .map(String::from),
        ).unwrap();
        let mut r = Replay::new(&args).unwrap();
        let mut out = String::new();
        // The input line number of each output line: comments (lines starting with '#') print
        // nothing.
        let mut numbers = Vec::new();
        let mut n = 0;
        for line in &lines {
            // Embedded newlines split a generated line into several input lines.
            for part in line.split(|&b| b == b'\n') {
                r.process_line(part, &mut out);
                n += 1;
                if !part.starts_with(b"#") {
                    numbers.push(n);
                }
            }
        }
        prop_assert_eq!(out.lines().count(), numbers.len());
        for (l, n) in out.lines().zip(&numbers) {
            let ok = l.starts_with("ALLOW ") || l.starts_with("DENY ")
                || l.starts_with(&format!("ERROR {n} "));
            prop_assert!(ok, "{}", l);
        }
    }
}
