//! Outputs that must not change when code only moves: every reading command
//! in every format on the bundled corpus, against the stdout recorded in
//! `tests/outputs/` (commands in `commands.txt`, one `<name>.out` each).
//! Record anew after an intended change with
//! `POLICY_DIFF_RECORD=1 cargo test --test outputs`, and read the diff.

mod common;

use std::path::Path;

/// The tool's version (in provenance) is not compared.
fn comparable(s: &str) -> String {
    s.replace(env!("CARGO_PKG_VERSION"), "VERSION")
}

#[test]
fn reading_commands_print_what_was_recorded() {
    let dir = common::repo().join("tests/outputs");
    let record = std::env::var_os("POLICY_DIFF_RECORD").is_some();
    let index = tempfile::tempdir().unwrap();
    let corpus = common::repo().join("corpus");
    let commands = common::read(&dir.join("commands.txt"));
    let mut failed = vec![];
    let mut ran = 0;
    for line in commands
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let (name, args) = line.split_once('|').expect("name | arguments");
        let (name, args) = (name.trim(), args.split_whitespace().collect::<Vec<_>>());
        let out = common::cli(&corpus, index.path())
            .args(&args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got = String::from_utf8(out.stdout).expect("utf-8 output");
        let file = dir.join(format!("{name}.out"));
        ran += 1;
        if record {
            std::fs::write(&file, &got).unwrap();
        } else if !Path::new(&file).exists() {
            failed.push(format!("{name}: nothing recorded ({})", file.display()));
        } else if comparable(&common::read(&file)) != comparable(&got) {
            let got_file = std::env::temp_dir().join(format!("policy-diff-{name}.out"));
            std::fs::write(&got_file, &got).unwrap();
            failed.push(format!(
                "{name}: differs (diff {} {})",
                file.display(),
                got_file.display()
            ));
        }
    }
    assert!(ran >= 30, "only {ran} commands");
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
