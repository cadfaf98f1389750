//! The responsible-unit note (`（责任单位：市财政局、市商务局）`,
//! `。牵头单位：市发改委`): where it starts and which units it names. One
//! rule for the parser (units, clause bodies), topic classification and
//! similarity, on display text and on folded text alike (NFKC turns `（：`
//! into `(:`, and both forms are accepted).
//!
//! The note is never policy content: not a clause, not topic evidence, not
//! a shared phrase.

use std::sync::LazyLock;

use memchr::memmem::Finder;

/// Labels that open a responsible-unit note.
pub const UNIT_LABELS: [&str; 5] = ["责任单位", "牵头单位", "责任部门", "责任主体", "牵头部门"];

/// Where the last of [`UNIT_LABELS`] starts: every occurrence of their first
/// two characters (two SIMD searches), the last one followed by the rest of
/// a label.
pub fn last_unit_label(text: &str) -> Option<usize> {
    static ZEREN: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("责任"));
    static QIANTOU: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("牵头"));
    let b = text.as_bytes();
    let last = |finder: &Finder<'_>, ends: &[&str]| {
        finder
            .find_iter(b)
            .filter(|&i| {
                let tail = &b[i + "责任".len()..];
                ends.iter().any(|e| tail.starts_with(e.as_bytes()))
            })
            .last()
    };
    last(&ZEREN, &["单位", "部门", "主体"]).max(last(&QIANTOU, &["单位", "部门"]))
}

/// Byte offset where a trailing responsible-unit note starts (at its opening
/// bracket, if any), or `None` when the text has none.
///
/// A note, not a mention: the last label is followed by a colon and opens a
/// bracket (`（责任单位：…`) or a sentence (`。牵头单位：…`, or the text's
/// start); `明确牵头单位和工作责任` is text.
pub fn unit_note_start(text: &str) -> Option<usize> {
    let pos = last_unit_label(text)?;
    let after = &text[pos..];
    let colon = after
        .char_indices()
        .nth(4)
        .is_some_and(|(i, _)| after[i..].trim_start().starts_with(['：', ':']));
    if !colon {
        return None;
    }
    let before = text[..pos].trim_end();
    match before.chars().next_back() {
        Some(c @ ('（' | '(' | '〔' | '【' | '[')) => Some(before.len() - c.len_utf8()),
        None | Some('。' | '；' | ';' | '\n' | '）' | ')') => Some(pos),
        _ => None,
    }
}

/// Responsible units from a trailing `〔责任单位：…〕` / `（责任单位：…）` note,
/// split at 、，； outside parentheses.
pub fn responsible_units(text: &str) -> Vec<String> {
    let Some(pos) = last_unit_label(text) else {
        return vec![];
    };
    let after = &text[pos..];
    let Some(colon) = after.find(['：', ':']) else {
        return vec![];
    };
    let colon_len = after[colon..].chars().next().unwrap().len_utf8();
    let list = &after[colon + colon_len..];
    let mut units = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in list.chars() {
        match c {
            '（' | '(' | '〔' | '【' => {
                depth += 1;
                cur.push(c);
            }
            '）' | ')' | '〕' | '】' => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
                cur.push(c);
            }
            '、' | '，' | ',' | '；' | ';' if depth == 0 => {
                units.push(std::mem::take(&mut cur));
            }
            _ => cur.push(c),
        }
    }
    units.push(cur);
    let units: Vec<String> = units
        .into_iter()
        .map(|u| u.trim().trim_end_matches(['。', '等']).to_string())
        .filter(|u| !u.is_empty())
        .collect();
    join_shared_suffix(units)
}

/// 各县、区人民政府 is one unit (each county's and district's government), not
/// 各县 and 区人民政府: a bare 各县 / 各市 / 各县（市） before a unit ending in
/// 政府 shares its suffix.
fn join_shared_suffix(units: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(units.len());
    for u in units {
        let joins = out.last().is_some_and(|prev| {
            prev.starts_with('各')
                && prev.chars().count() <= 5
                && prev.ends_with(['县', '市', '区', '）', ')'])
                && u.ends_with("政府")
        });
        if joins {
            let prev = out.last_mut().expect("checked above");
            prev.push('、');
            prev.push_str(&u);
        } else {
            out.push(u);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold;

    #[test]
    fn notes_start_at_their_bracket_or_label() {
        for (text, note) in [
            (
                "推进路网改造。（责任单位：市财政局）",
                Some("（责任单位：市财政局）"),
            ),
            (
                "给予支持。〔责任单位：市商务局〕",
                Some("〔责任单位：市商务局〕"),
            ),
            ("给予支持。牵头单位：市发改委", Some("牵头单位：市发改委")),
            ("责任单位：各县区", Some("责任单位：各县区")),
            (
                "（牵头单位：市发改委；责任部门：各区）",
                Some("责任部门：各区）"),
            ),
            // Mentions, not notes.
            ("明确牵头单位和工作责任。", None),
            ("压实属地责任主体，", None),
            ("（责任单位）", None),
            ("各地责任部门：要加强", None),
            ("没有责任单位说明的条文。", None),
        ] {
            assert_eq!(unit_note_start(text).map(|i| &text[i..]), note, "{text}");
        }
    }

    #[test]
    fn folded_text_gives_the_same_note() {
        for text in [
            "推进路网改造。（责任单位：市财政局）",
            "提高利用强度。（责任单位: 各县区、功能板块）",
            "给予支持。〔责任单位：各县（市、区）人民政府〕",
            "明确牵头单位和工作责任。",
        ] {
            let f = fold(text);
            assert_eq!(
                unit_note_start(text).map(|i| fold(&text[i..])),
                unit_note_start(&f).map(|i| f[i..].to_string()),
                "{text}"
            );
        }
    }

    #[test]
    fn units() {
        assert_eq!(
            responsible_units(
                "…给予支持。〔责任单位：市商务局、市发改委，各县（市、区）人民政府〕"
            ),
            vec!["市商务局", "市发改委", "各县（市、区）人民政府"]
        );
        assert_eq!(
            responsible_units("（责任单位：市财政局、市国资委，各县区、功能板块）"),
            vec!["市财政局", "市国资委", "各县区", "功能板块"]
        );
        assert!(responsible_units("没有责任单位说明的条文。").is_empty());
        assert_eq!(
            responsible_units("（责任单位：市财政局、市商务局，各县、区人民政府）"),
            vec!["市财政局", "市商务局", "各县、区人民政府"]
        );
        assert_eq!(
            responsible_units("（责任单位：各县、区政府、市发改委）"),
            vec!["各县、区政府", "市发改委"]
        );
        assert_eq!(
            responsible_units("牵头部门：甲。责任主体：乙、丙）责任任务"),
            vec!["乙", "丙"]
        );
    }

    #[test]
    fn the_last_label_is_the_last_of_the_five() {
        let pieces = [
            "责任",
            "牵头",
            "单位",
            "部门",
            "主体",
            "责",
            "任",
            "：",
            "x",
            "牵头责任单位",
        ];
        let old = |t: &str| UNIT_LABELS.iter().filter_map(|l| t.rfind(l)).max();
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed >> 33
        };
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..next() % 9 {
                text.push_str(pieces[next() as usize % pieces.len()]);
            }
            assert_eq!(last_unit_label(&text), old(&text), "{text:?}");
        }
    }
}
