//! Shared phrases: which parts of a provision's text the other columns of
//! its row share, as byte ranges of the display text.
//!
//! Two sources: the equal runs of the word diff against each other member
//! (at least [`MIN_REUSED_CHARS`] letters/digits, so a lone 的 or 开发区
//! is not a shared phrase), and every occurrence of the row's shared key
//! terms (found in the folded text, reported on the original).

use std::ops::Range;

use crate::compare::worddiff::{diff_words, Op, MIN_REUSED_CHARS};
use crate::text::{fold, fold_with_map};

fn content_chars(s: &str) -> usize {
    fold(s).chars().filter(|c| c.is_alphanumeric()).count()
}

/// Sorted, disjoint byte ranges of `text[..body_end]` that `others` share
/// (see the module documentation): shared department names in a trailing
/// responsible-units note (see [`crate::corpus::Provision::body_end`]) are not shared policy. Ranges
/// start and end on letters or digits.
pub fn shared_ranges(
    text: &str,
    body_end: usize,
    others: &[&str],
    terms: &[String],
) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = vec![];
    for other in others {
        let mut at = 0usize;
        for span in diff_words(text, other) {
            let a = span.a_text();
            if span.op == Op::Equal && content_chars(a) >= MIN_REUSED_CHARS {
                ranges.push(at..at + a.len());
            }
            at += a.len();
        }
    }
    if !terms.is_empty() {
        let (folded, map) = fold_with_map(text);
        let mut starts: Vec<usize> = folded.char_indices().map(|(i, _)| i).collect();
        starts.push(folded.len());
        let orig_at = |byte: usize| map[starts.partition_point(|&s| s < byte)];
        for t in terms {
            if t.is_empty() {
                continue;
            }
            for (i, m) in folded.match_indices(t.as_str()) {
                let (s, e) = (orig_at(i), orig_at(i + m.len()));
                if s < e && e <= text.len() {
                    ranges.push(s..e);
                }
            }
        }
    }
    let end = body_end.min(text.len());
    let ranges: Vec<Range<usize>> = ranges
        .into_iter()
        .map(|r| r.start..r.end.min(end))
        .filter(|r| r.start < r.end)
        .filter_map(|r| trim(text, r))
        .collect();
    merge(ranges)
}

/// Shrink a range to start and end on a letter or digit.
fn trim(text: &str, r: Range<usize>) -> Option<Range<usize>> {
    let s = text.get(r.clone())?;
    let lead = s.len() - s.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
    let tail = s.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
    (lead < tail).then(|| r.start + lead..r.start + tail)
}

fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = vec![];
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// `text` cut at `marks`: (is_shared, piece) in order, covering all of it.
pub fn pieces<'t>(text: &'t str, marks: &[Range<usize>]) -> Vec<(bool, &'t str)> {
    let mut out = vec![];
    let mut at = 0;
    for r in marks {
        if r.start < at || r.end > text.len() {
            continue;
        }
        if r.start > at {
            out.push((false, &text[at..r.start]));
        }
        out.push((true, &text[r.clone()]));
        at = r.end;
    }
    if at < text.len() {
        out.push((false, &text[at..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{Provision, ProvisionKind};

    #[test]
    fn equal_runs_and_terms_are_marked() {
        let a = "5. 加大财政政策支持力度。提高开发区财政自主权，支持实行“一级财政”管理体制。";
        let b = "（三）强化财政金融支持。进一步提升经济开发区的财政自主权，完善财政管理体制。";
        let r = shared_ranges(a, a.len(), &[b], &["财政自主权".to_string()]);
        let marked: Vec<&str> = r.iter().map(|x| &a[x.clone()]).collect();
        assert!(marked.contains(&"财政自主权"), "{marked:?}");
        let joined: String = pieces(a, &r).into_iter().map(|(_, s)| s).collect();
        assert_eq!(joined, a);
    }

    #[test]
    fn full_width_text_maps_back() {
        let a = "提高ＡＢＣ财政自主权";
        let r = shared_ranges(a, a.len(), &[], &["财政自主权".to_string()]);
        assert_eq!(&a[r[0].clone()], "财政自主权");
    }

    #[test]
    fn units_notes_are_not_shared_policy() {
        let p = |text: &str, kind, units: &[&str]| Provision {
            id: "t:1".into(),
            doc_id: "t".into(),
            seq: 1,
            kind,
            number: None,
            heading: String::new(),
            path: vec![],
            text: text.into(),
            responsible_units: units.iter().map(|u| u.to_string()).collect(),
        };
        let a = "建设人才公寓。（责任单位：市人才办、市人社局）";
        let b = "发放安家补贴。（责任单位：市人才办、市人社局）";
        let end = p(a, ProvisionKind::Item, &["市人才办"]).body_end();
        assert_eq!(&a[end..], "（责任单位：市人才办、市人社局）");
        assert!(shared_ranges(a, end, &[b], &[]).is_empty());
        let row = "34\t开展低效用地清理整治。\t区双清办、区自然资源局";
        let end = p(row, ProvisionKind::TableRow, &["区双清办", "区自然资源局"]).body_end();
        assert_eq!(&row[..end], "34\t开展低效用地清理整治。");
    }

    #[test]
    fn nothing_shared() {
        assert!(shared_ranges("人才公寓建设", 18, &["安全生产检查"], &[]).is_empty());
        assert_eq!(pieces("abc", &[]), vec![(false, "abc")]);
    }
}
