//! Legal texts (the laws bench corpus): 第X章 / 第X条 structure, and no panic on any file.

mod common;

use common::*;
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
    assert_eq!(m.date.as_deref(), Some("2021-04-29"));
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

#[test]
fn every_law_parses() {
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
