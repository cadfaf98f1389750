//! `compare --format html` in a real browser: headless Chromium opens the
//! report and dumps the DOM it built; the checks are on what a reader sees.
//! Needs Debian's chromium at /usr/bin/chromium (`.ci/run` installs it).

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::*;
use policy_diff::corpus::Corpus;

const COLUMNS: [&str; 3] = ["连云港经济技术开发区", "连云港市", "南通市"];
const SCRIPT: &str = "<script>alert(1)</script>";

/// A copy of the seeds in which 002's talent measure carries a script tag.
fn hostile_corpus(root: &Path) -> PathBuf {
    let corpus_dir = root.join("corpus");
    std::fs::create_dir_all(&corpus_dir).unwrap();
    let mut files = vec![];
    for e in std::fs::read_dir(seeds_dir()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "txt") {
            continue;
        }
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let mut text = read(&p);
        if name.starts_with("002") {
            let anchor = "建设全面人才支撑体系。";
            assert!(text.contains(anchor));
            text = text.replace(anchor, &format!("{anchor}{SCRIPT}"));
        }
        let copy = root.join(name);
        std::fs::write(&copy, text).unwrap();
        files.push(copy);
    }
    files.sort();
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let mut c = Corpus::open(&corpus_dir).unwrap();
    for r in c.add_files(&refs, &Default::default()) {
        r.unwrap();
    }
    corpus_dir
}

/// Run Chromium headless on `page` with a fresh profile; its stdout.
fn dump_dom(page: &Path, profile: &Path) -> String {
    chromium("--dump-dom", &format!("file://{}", page.display()), profile)
}

#[test]
fn html_report_as_chromium_shows_it() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: install Debian's chromium to run the browser test \
         (apt-get install chromium; .ci/run does this before the tests)"
    );
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = hostile_corpus(dir.path());
    let page = dir.path().join("talent.html");
    succeed(
        Command::cargo_bin("policy-diff")
            .unwrap()
            .env_remove("POLICY_DIFF_CORPUS")
            .env_remove("POLICY_DIFF_INDEX")
            .env_remove("POLICY_DIFF_TOPICS")
            .arg("--corpus")
            .arg(&corpus_dir)
            .arg("--index")
            .arg(dir.path().join("index"))
            .args([
                "compare", "--topic", "talent", "--format", "html", "--output",
            ])
            .arg(&page),
    );
    let profile = tempfile::tempdir().unwrap();
    let dom = dump_dom(&page, profile.path());

    assert!(
        dom.contains("<title>Compare: 人才 (talent)</title>"),
        "{dom}"
    );
    // The column headers, in catalog order.
    let thead = &dom[dom.find("<thead>").expect("a table head")..dom.find("</thead>").unwrap()];
    let mut at = 0;
    for col in COLUMNS {
        let pos = thead[at..]
            .find(&format!("<th>{col}<br>"))
            .unwrap_or_else(|| panic!("column header {col} in {thead}"));
        at += pos;
    }
    // Known provisions, as headings of their cells.
    for heading in ["10. 建设全面人才支撑体系", "第一节 打造创新人才高地"] {
        assert!(
            dom.contains(&format!("<div class=\"head\">{heading}</div>")),
            "{heading}"
        );
    }
    assert!(dom.contains("no counterpart"));
    // The script in the document stayed text: escaped in the DOM, no element.
    assert!(
        dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "escaped script text"
    );
    assert!(!dom.contains("<script"), "a script element was created");
}
