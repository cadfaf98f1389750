//! A dictionary of only the words a text holds (`segment::Subset`, what
//! `add` cuts a few new documents with) cuts it exactly as the full one:
//! every seed and every fourth file of the laws bench corpus, whole and
//! provision by provision (as the index cuts them), in every mode the
//! segment module offers.

mod common;

use common::*;
use policy_diff::corpus::{load, parse};
use policy_diff::text::{fold, segment};

/// The texts the index cuts for a file (folded headings and texts of its
/// provisions) and the whole folded file.
fn texts_of(path: &std::path::Path) -> Vec<String> {
    let text = load::read_text(path).unwrap().text;
    let (provisions, _) = parse("doc", &text);
    let mut out = vec![fold(&text)];
    for p in provisions {
        out.push(fold(&p.heading));
        out.push(fold(&p.text));
    }
    out
}

type Cuts = Vec<(
    Vec<(String, usize, usize)>,
    Vec<(String, usize, usize)>,
    Vec<String>,
)>;

fn cuts(texts: &[&str]) -> Cuts {
    let owned = |ws: Vec<segment::Word>| {
        ws.into_iter()
            .map(|w| (w.text.to_string(), w.start, w.end))
            .collect::<Vec<_>>()
    };
    texts
        .iter()
        .map(|t| {
            (
                owned(segment::words(t)),
                owned(segment::words_fine(t)),
                segment::words_plain(t)
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
            )
        })
        .collect()
}

/// Cut `group` (the texts of one or more files) with the full dictionary
/// and with a subset made for it; return how many words were compared.
fn check(label: &str, group: &[String]) -> usize {
    let texts: Vec<&str> = group.iter().map(String::as_str).collect();
    let full = cuts(&texts);
    let subset = segment::Subset::for_texts(&texts);
    let sub = subset.scope(|| cuts(&texts));
    for (i, (f, s)) in full.iter().zip(&sub).enumerate() {
        assert!(
            f == s,
            "{label}: text {i} ({:?}…) is cut differently with the subset",
            texts[i].chars().take(40).collect::<String>()
        );
    }
    // Outside the scope the full dictionary is back.
    assert_eq!(cuts(&texts[..1]), full[..1]);
    full.iter().map(|(w, f, _)| w.len() + f.len()).sum()
}

/// The texts under `dir`: its .md and .txt files.
fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = files_under(dir);
    out.retain(|p| p.extension().is_some_and(|x| x == "md" || x == "txt"));
    out
}

#[test]
fn subset_cuts_every_seed_as_the_full_dictionary() {
    let mut words = 0;
    let mut all = vec![];
    for seed in files(&seeds_dir()) {
        let texts = texts_of(&seed);
        words += check(&seed.display().to_string(), &texts);
        all.extend(texts);
    }
    // One subset for several documents at once (`add` of many files).
    words += check("all seeds together", &all);
    assert!(words > 10_000, "{words} words compared");
}

#[test]
fn subset_cuts_laws_as_the_full_dictionary() {
    let laws = files(&laws_dir());
    assert!(laws.len() > 1000, "the laws bench corpus ({})", laws.len());
    let mut words = 0;
    let sample: Vec<_> = laws.iter().step_by(4).collect();
    for law in &sample {
        words += check(&law.display().to_string(), &texts_of(law));
    }
    // Texts that hold ASCII, digits and punctuation of every kind, and
    // strings made of the dictionary's private-use stand-in.
    let odd: Vec<String> = [
        "第1条 GDP增长4.5%，WES-5.4.5版本；4S店、Ａｂｃ　全角",
        "\u{E000}\u{E000}\u{F8FF}开发区\u{E000}",
        "人才公寓一级财政亩均税收",
        "",
    ]
    .iter()
    .map(|t| fold(t))
    .collect();
    words += check("odd texts", &odd);
    assert!(words > 1_000_000, "{words} words compared");
}
