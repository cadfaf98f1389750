//! Naming a document the way researchers do: by its id (`lyg-2022-32`), its
//! 文号 (`连政发〔2022〕32号`, any bracket style) or its title, whole or a
//! unique part of it (`职业病防治法`, `《开发区高质量发展行动方案》`). Pure:
//! catalog entries in, one entry or a typed error out.

use super::catalog::Entry;
use super::issuance::canonical_doc_number;
use crate::error::{suggest, Error, Result};
use crate::text::fold;

/// What a title part must be at least to name a document (a single
/// character such as 法 would match hundreds).
const MIN_TITLE_CHARS: usize = 2;

/// How many candidates an ambiguity error lists.
const LISTED: usize = 8;

/// The entry `name` designates. Tried in order: the id; the 文号 (compared
/// in canonical form); the title, exactly or as a part (compared folded,
/// without 《》 and spaces). A part that matches several titles picks the
/// one whose title is exactly the part, with or without the 中华人民共和国
/// of national laws; otherwise it is ambiguous and the error lists the
/// candidates with their ids.
pub fn resolve<'a>(entries: &'a [Entry], name: &str) -> Result<&'a Entry> {
    let name = name.trim();
    if let Some(e) = entries.iter().find(|e| e.id == name) {
        return Ok(e);
    }
    let number = canonical_doc_number(name);
    if !number.is_empty() {
        let by_number: Vec<&Entry> = entries
            .iter()
            .filter(|e| !e.doc_number.is_empty() && canonical_doc_number(&e.doc_number) == number)
            .collect();
        match by_number.as_slice() {
            [one] => return Ok(one),
            [] => {}
            many => return Err(ambiguous(name, "文号", many)),
        }
    }
    let key = title_key(name);
    if key.chars().count() >= MIN_TITLE_CHARS {
        let matching: Vec<&Entry> = entries
            .iter()
            .filter(|e| title_key(&e.title).contains(&key))
            .collect();
        let exact: Vec<&Entry> = matching
            .iter()
            .copied()
            .filter(|e| {
                let t = title_key(&e.title);
                t == key || t.strip_prefix("中华人民共和国") == Some(key.as_str())
            })
            .collect();
        match (matching.as_slice(), exact.as_slice()) {
            ([one], _) | (_, [one]) => return Ok(one),
            ([], _) => {}
            (_, []) => return Err(ambiguous(name, "title", &matching)),
            (_, many) => return Err(ambiguous(name, "title", many)),
        }
    }
    Err(Error::Unknown {
        what: "document",
        name: name.to_string(),
        suggestions: suggest(name, entries.iter().map(|e| e.id.as_str())),
    })
}

/// The form titles are compared in: folded, without book-title marks.
fn title_key(s: &str) -> String {
    fold(s)
        .chars()
        .filter(|c| !matches!(c, '《' | '》' | '〈' | '〉') && !c.is_whitespace())
        .collect()
}

fn ambiguous(name: &str, by: &str, candidates: &[&Entry]) -> Error {
    let mut listed: Vec<String> = candidates
        .iter()
        .take(LISTED)
        .map(|e| {
            let date = e.date.as_ref().map_or("undated", |d| d.as_str());
            format!("  {}  《{}》 {}", e.id, e.title, date)
        })
        .collect();
    if candidates.len() > LISTED {
        listed.push(format!("  … and {} more", candidates.len() - LISTED));
    }
    Error::Usage(format!(
        "document '{name}' is ambiguous: its {by} matches {} documents:\n{}\nhint: give the document id",
        candidates.len(),
        listed.join("\n")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, title: &str, number: &str, date: &str) -> Entry {
        Entry {
            id: id.into(),
            title: title.into(),
            doc_number: number.into(),
            date: crate::corpus::values::nonblank(date),
            ..Entry::default()
        }
    }

    fn catalog() -> Vec<Entry> {
        vec![
            entry(
                "lyg-2022-32",
                "连云港市“十四五”开发区高质量发展行动方案",
                "连政发〔2022〕32号",
                "2022-04-02",
            ),
            entry(
                "nt-2021-23",
                "关于推进全市经济开发区创新提升打造改革开放新高地的实施方案",
                "通政发〔2021〕23号",
                "2021-06-03",
            ),
            entry(
                "zhrm-law-2018-1",
                "中华人民共和国职业病防治法",
                "",
                "2018-12-29",
            ),
            entry("zhrm-law-2017-4", "中华人民共和国会计法", "", "2017-11-04"),
            entry("zhrm-law-2024-2", "中华人民共和国会计法", "", "2024-06-28"),
            entry("x-1", "职业病防治法实施办法", "", "2020-01-01"),
        ]
    }

    fn id(name: &str) -> Result<String> {
        let c = catalog();
        resolve(&c, name).map(|e| e.id.clone())
    }

    #[test]
    fn ids_numbers_and_titles_name_documents() {
        assert_eq!(id("lyg-2022-32").unwrap(), "lyg-2022-32");
        assert_eq!(id("连政发〔2022〕32号").unwrap(), "lyg-2022-32");
        assert_eq!(id("连政发[2022]32号").unwrap(), "lyg-2022-32");
        assert_eq!(id(" 通政发（2021）23号").unwrap(), "nt-2021-23");
        assert_eq!(id("开发区高质量发展行动方案").unwrap(), "lyg-2022-32");
        assert_eq!(
            id("《连云港市“十四五”开发区高质量发展行动方案》").unwrap(),
            "lyg-2022-32"
        );
    }

    #[test]
    fn a_part_of_several_titles_picks_the_one_it_names_whole() {
        // Also a part of 职业病防治法实施办法, but the law's title is the part
        // with 中华人民共和国 in front.
        assert_eq!(id("职业病防治法").unwrap(), "zhrm-law-2018-1");
    }

    #[test]
    fn ambiguous_names_list_the_candidates_with_ids() {
        let e = id("会计法").unwrap_err();
        assert!(matches!(e, Error::Usage(_)) && e.is_user_error());
        let msg = e.to_string();
        assert!(
            msg.contains("zhrm-law-2017-4") && msg.contains("zhrm-law-2024-2"),
            "{msg}"
        );
        assert!(msg.contains("2024-06-28"), "{msg}");
        let e = id("实施").unwrap_err().to_string();
        assert!(e.contains("nt-2021-23") && e.contains("x-1"), "{e}");
    }

    #[test]
    fn unknown_names_suggest_ids() {
        let e = id("lyg-2022-23").unwrap_err();
        assert!(matches!(e, Error::Unknown { .. }));
        assert!(e.to_string().contains("lyg-2022-32"), "{e}");
        // One character is too little to name a title.
        assert!(matches!(id("法").unwrap_err(), Error::Unknown { .. }));
    }
}
