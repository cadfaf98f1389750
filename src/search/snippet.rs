//! Snippets: where a query's words and phrases occur in a provision's
//! display text, found on the folded text and mapped back to the original
//! characters, and the window of text that shows most of them.

use crate::query::Query;
use crate::text::{fold, fold_with_map};

/// Cuts a folded word into the segments to highlight when it does not occur
/// verbatim (the index's query segmentation).
pub type Segmenter<'a> = &'a dyn Fn(&str) -> Vec<String>;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Snippet {
    pub text: String,
    /// Highlighted ranges as character offsets into `text` (start, end).
    pub highlights: Vec<(usize, usize)>,
}

/// The needles a query looks for: phrases verbatim; words verbatim and, as a
/// fallback, their segments.
fn needles(q: &Query, seg: Segmenter) -> Vec<String> {
    let mut out = vec![];
    for t in q.positive_terms() {
        match t {
            Query::Phrase(p) => out.push(fold(p).trim().to_string()),
            Query::Term(w) => {
                let f = fold(w).trim().to_string();
                out.extend(seg(&f));
                out.push(f);
            }
            _ => {}
        }
    }
    out.retain(|n| !n.is_empty());
    out.sort_by_key(|n| std::cmp::Reverse(n.len()));
    out.dedup();
    out
}

/// Byte ranges in `text` (display text) where the query matches, merged and sorted.
pub fn match_ranges(text: &str, q: &Query, seg: Segmenter) -> Vec<(usize, usize)> {
    let (folded, map) = fold_with_map(text);
    // folded byte offset -> folded char index
    let mut char_at = vec![0usize; folded.len() + 1];
    for (ci, (bi, _)) in folded.char_indices().enumerate() {
        char_at[bi] = ci;
    }
    let nchars = map.len() - 1;
    char_at[folded.len()] = nchars;
    let mut ranges = vec![];
    for needle in needles(q, seg) {
        for (start, m) in folded.match_indices(&needle) {
            let (cs, ce) = (char_at[start], char_at[start + m.len()]);
            // End: the original byte after the last matched char, less the
            // spaces folding dropped before the next one ("RCEP 签订").
            let end = if ce >= nchars { text.len() } else { map[ce] };
            let end = end.max(map[cs]);
            let end = map[cs] + text[map[cs]..end].trim_end().len();
            ranges.push((map[cs], end));
        }
    }
    ranges.sort();
    let mut merged: Vec<(usize, usize)> = vec![];
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.0 <= last.1 => last.1 = last.1.max(r.1),
            _ => merged.push(r),
        }
    }
    merged
}

/// A window of at most `max_chars` characters around the densest matches.
pub fn snippet(text: &str, q: &Query, max_chars: usize, seg: Segmenter) -> Snippet {
    let text_one_line: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .collect();
    let ranges = match_ranges(&text_one_line, q, seg);
    let chars: Vec<(usize, char)> = text_one_line.char_indices().collect();
    let char_of = |byte: usize| chars.partition_point(|(b, _)| *b < byte);
    let spans: Vec<(usize, usize)> = ranges
        .iter()
        .map(|(s, e)| (char_of(*s), char_of(*e)))
        .collect();
    let n = chars.len();
    if n <= max_chars {
        return Snippet {
            text: text_one_line,
            highlights: spans,
        };
    }
    // Start the window so it covers the most spans, a little before the first.
    let mut best = (0usize, 0usize);
    for (i, (s, _)) in spans.iter().enumerate() {
        let start = s.saturating_sub(max_chars / 5);
        let covered = spans[i..]
            .iter()
            .take_while(|(_, e)| *e <= start + max_chars)
            .count();
        if covered > best.1 {
            best = (start, covered);
        }
    }
    let start = best.0.min(n.saturating_sub(max_chars));
    let end = (start + max_chars).min(n);
    let mut out = String::new();
    let prefix = if start > 0 { "…" } else { "" };
    out.push_str(prefix);
    out.extend(chars[start..end].iter().map(|(_, c)| c));
    if end < n {
        out.push('…');
    }
    let shift = prefix.chars().count();
    let highlights = spans
        .into_iter()
        .filter(|(s, e)| *s >= start && *e <= end)
        .map(|(s, e)| (s - start + shift, e - start + shift))
        .collect();
    Snippet {
        text: out,
        highlights,
    }
}

/// Apply `open`/`close` around the highlighted ranges of a snippet.
pub fn mark(s: &Snippet, open: &str, close: &str) -> String {
    mark_escaped(s, open, close, |t| t.to_string())
}

/// [`mark`], with the text between the markers passed through `escape`
/// (Markdown or HTML escaping; the markers themselves are not escaped).
pub fn mark_escaped(
    s: &Snippet,
    open: &str,
    close: &str,
    escape: impl Fn(&str) -> String,
) -> String {
    let chars: Vec<char> = s.text.chars().collect();
    let piece = |from: usize, to: usize| escape(&chars[from..to].iter().collect::<String>());
    let mut out =
        String::with_capacity(s.text.len() + s.highlights.len() * (open.len() + close.len()));
    let mut i = 0;
    for (a, b) in &s.highlights {
        out.push_str(&piece(i, *a));
        out.push_str(open);
        out.push_str(&piece(*a, *b));
        out.push_str(close);
        i = *b;
    }
    out.push_str(&piece(i, chars.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;

    #[test]
    fn highlights_map_back_through_folding() {
        let text = "支持有条件的开发区实行“一级财政”管理体制，地区生产总值突破 800 亿元";
        let s = snippet(
            text,
            &parse("一级财政 \"800亿元\"").unwrap(),
            200,
            &|s| {
                crate::text::segment::words_plain(s)
                    .into_iter()
                    .map(String::from)
                    .collect()
            },
        );
        assert_eq!(
            mark(&s, "[", "]"),
            "支持有条件的开发区实行“[一级财政]”管理体制，地区生产总值突破 [800 亿元]"
        );
    }

    #[test]
    fn highlights_stop_at_the_match_not_the_space_folding_dropped() {
        let text = "积极抢抓 RCEP 签订机遇";
        let seg: Segmenter = &|s| vec![s.to_string()];
        let r = match_ranges(text, &parse("RCEP").unwrap(), seg);
        assert_eq!(
            r.iter().map(|&(a, b)| &text[a..b]).collect::<Vec<_>>(),
            ["RCEP"]
        );
    }

    #[test]
    fn window_is_bounded_and_centered() {
        let text = format!("{}人才公寓{}", "甲".repeat(300), "乙".repeat(300));
        let s = snippet(&text, &parse("人才公寓").unwrap(), 60, &|s| {
            vec![s.to_string()]
        });
        assert!(s.text.chars().count() <= 62);
        assert_eq!(mark(&s, "[", "]").matches("[人才公寓]").count(), 1);
    }
}
