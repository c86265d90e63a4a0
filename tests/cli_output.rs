//! The binary's output when its reader goes away: `opdb history | head -1` ends quietly, with
//! the status a tool killed by SIGPIPE has, not with "error: Broken pipe".

use std::process::{Command, Stdio};

#[test]
fn output_to_a_closed_pipe_ends_quietly() {
    // A pipe whose reader is gone before the binary starts: its first write fails.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_opdb"))
        .arg("history")
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr, "", "nothing is said on the standard error");
    assert_eq!(out.status.code(), Some(141), "{:?}", out.status);
}
