//! Legal texts (the laws bench corpus): 第X章 / 第X条 structure, and no panic on any file.

mod common;

use common::*;
use policy_diff::corpus::AsText;
use policy_diff::corpus::{load, meta, parse, ProvisionKind};

fn law(rel: &str) -> (meta::Detected, Vec<policy_diff::corpus::Provision>, String) {
    let path = laws_dir().join(rel);
    let text = load::read_text(&path).unwrap().text;
    let (p, _) = parse("law", &text);
    (meta::detect(&text), p, text)
}

#[test]
fn articles_and_chapters() {
    let (m, provisions, text) = law("经济法/乡村振兴促进法(2021-04-29).md");
    assert_eq!(m.title.as_deref(), Some("中华人民共和国乡村振兴促进法"));
    assert_eq!(m.date.text(), "2021-04-29");
    let articles: Vec<_> = provisions
        .iter()
        .filter(|p| p.kind == ProvisionKind::Article)
        .collect();
    let expected = text
        .lines()
        .filter(|l| {
            l.starts_with('第')
                && l.split_whitespace()
                    .next()
                    .is_some_and(|w| w.ends_with('条'))
        })
        .count();
    assert_eq!(articles.len(), expected);
    assert_eq!(articles.len(), 74);
    assert_eq!(articles[0].number.as_deref(), Some("第一条"));
    assert_eq!(articles[0].path, vec!["第一章 总则"]);
    // Items of an article stay inside it.
    let a4 = articles[3];
    assert!(a4.text.contains("（五）坚持因地制宜"), "{}", a4.text);
    assert!(articles.iter().any(|a| a.path == vec!["第三章 人才支撑"]));
}

fn law_files() -> Vec<std::path::PathBuf> {
    let mut files = vec![];
    let mut stack = vec![laws_dir()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 1500, "the laws bench corpus is present");
    files.sort();
    files
}

#[test]
fn every_law_parses() {
    let files = law_files();
    let mut articles = 0;
    for f in &files {
        let text = load::read_text(f).unwrap().text;
        let (provisions, _) = parse("law", &text);
        articles += provisions
            .iter()
            .filter(|p| p.kind == ProvisionKind::Article)
            .count();
    }
    assert!(articles > 50_000, "{articles} articles");
}

#[test]
fn adoption_and_amendment_lines_are_front_matter() {
    let (m, provisions, _) = law("宪法相关法/中国人民解放军选举全国人民代表大会和县级以上地方各级人民代表大会代表的办法(2021-04-29).md");
    let first = &provisions[0];
    assert_eq!(first.kind, ProvisionKind::Front);
    assert_eq!(first.heading, "题注");
    assert_eq!(first.text.lines().count(), 4, "{}", first.text);
    assert!(first.text.ends_with("第二次修正"), "{}", first.text);
    assert_eq!(provisions[1].number.as_deref(), Some("第一条"));
    // The title is not joined with the adoption lines any more.
    assert!(provisions.iter().all(|p| !p.heading.contains("会议通过")));
    assert_eq!(m.adopted.text(), "1981-06-10");
    assert_eq!(m.amended.text(), "2021-04-29");
    assert_eq!(m.date.text(), "2021-04-29");

    // A State Council regulation: the order line was silently joined to the title.
    let (m, provisions, text) = law("行政法规/不动产登记暂行条例(2019-03-24).md");
    assert_eq!(provisions[0].kind, ProvisionKind::Front);
    assert_eq!(
        provisions[0].text,
        "2014年11月24日 中华人民共和国国务院令第656号公布"
    );
    assert_eq!(m.doc_number.as_deref(), Some("国务院令第656号"));
    // The Markdown comment is dropped and recorded.
    let dropped = policy_diff::corpus::layout::layout(&text).dropped;
    assert!(dropped
        .iter()
        .any(|d| d.reason == policy_diff::corpus::layout::DropReason::Comment));
}

#[test]
fn no_law_has_its_adoption_lines_as_provisions() {
    let mut checked = 0;
    for f in law_files() {
        let text = load::read_text(&f).unwrap().text;
        let (provisions, _) = parse("law", &text);
        // The first provisions of the body.
        for p in provisions.iter().filter(|p| p.is_substantive()).take(3) {
            let first = p.text.lines().next().unwrap_or("");
            assert!(
                p.kind == ProvisionKind::Article
                    || !(p.heading.contains("会议通过") || p.heading.contains("令第")),
                "{}: {} is headed by an adoption line: {}",
                f.display(),
                p.id,
                p.heading
            );
            assert!(
                !policy_diff::corpus::enactment::is_record_line(first),
                "{}: {} is an adoption line: {first}",
                f.display(),
                p.id
            );
        }
        checked += 1;
    }
    assert!(checked > 1500);
}

#[test]
fn the_laws_have_issuer_jurisdiction_level_and_date() {
    // Before the lines under the title were read, 1,504 of 1,507 laws had no
    // jurisdiction and 1,505 no issuer (EVALUATION.md).
    // The `_index.md` listings are not documents.
    let files: Vec<_> = law_files()
        .into_iter()
        .filter(|f| f.file_name().is_some_and(|n| n != "_index.md"))
        .collect();
    let (mut no_jurisdiction, mut no_issuer, mut no_date) = (0, 0, 0);
    for f in &files {
        let text = load::read_text(f).unwrap().text;
        let m = meta::detect(&text);
        no_jurisdiction += usize::from(m.jurisdiction.is_none() || m.level.is_none());
        no_issuer += usize::from(m.issuer.is_none());
        no_date += usize::from(m.date.is_none());
        if let Some(j) = &m.jurisdiction {
            assert!(
                !j.ends_with('部'),
                "{}: a ministry as jurisdiction: {j}",
                f.display()
            );
        }
    }
    assert!(
        no_jurisdiction <= 70,
        "{no_jurisdiction} without jurisdiction"
    );
    assert!(no_issuer <= 70, "{no_issuer} without issuer");
    assert!(no_date <= 125, "{no_date} without date");
}
