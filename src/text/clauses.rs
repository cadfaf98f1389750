//! Clauses: the sentences a provision states its measures in.
//!
//! A clause ends at a sentence end (。！？； and their ASCII forms), at a
//! line break (a numbered sub-item or a new paragraph starts on its own
//! line) and at a tab (the cells of a table row). Closing quotes and
//! brackets right after a sentence end stay with the clause they close.
//! A piece with fewer than [`MIN_CLAUSE_CHARS`] letters or digits, or
//! fewer than two letters (a figure cell `2600`), is not a clause of its own: on a line or in a table cell of its own (a bare
//! `（1）`, a cell `类别`) it is dropped; after a sentence on the same line (a
//! stray `等。`) it joins that sentence; before one, the next.
//!
//! Pure and total: any text and any range give clauses whose ranges are
//! disjoint, in order, inside the range, and start and end on a letter,
//! digit or punctuation mark (never on whitespace).

use std::ops::Range;

/// Fewer letters or digits than this and a piece is not a clause of its own.
pub const MIN_CLAUSE_CHARS: usize = 4;

fn is_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | ';' | '!' | '?')
}

fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\t')
}

/// Characters that close what a sentence end closed: `。”` `；）`.
fn is_closer(c: char) -> bool {
    matches!(
        c,
        '”' | '’' | '"' | '\'' | '）' | ')' | '〕' | '】' | ']' | '》' | '」' | '』'
    )
}

fn content_chars(s: &str) -> usize {
    s.chars().filter(|c| c.is_alphanumeric()).count()
}

/// Enough to be a clause: [`MIN_CLAUSE_CHARS`] letters or digits, two of
/// them letters (a cell `2600` or `99% 99` is a figure, not a measure).
fn is_clause(s: &str) -> bool {
    content_chars(s) >= MIN_CLAUSE_CHARS && s.chars().filter(|c| c.is_alphabetic()).nth(1).is_some()
}

/// Byte ranges of the clauses of `text[range]`; see the module documentation.
pub fn split(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let end = range.end.min(text.len());
    let start = range.start.min(end);
    let Some(body) = text.get(start..end) else {
        return vec![];
    };
    // Raw pieces, and whether a line break or tab ends each.
    let mut pieces: Vec<(Range<usize>, bool)> = vec![];
    let mut at = 0usize;
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_break(c) {
            pieces.push((at..i, true));
            at = i + c.len_utf8();
        } else if is_end(c) {
            let mut stop = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if is_closer(d) || is_end(d) {
                    stop = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            pieces.push((at..stop, false));
            at = stop;
        }
    }
    pieces.push((at..body.len(), true));
    // Trim whitespace, drop empty pieces (a break still counts for the
    // piece before).
    let mut trimmed: Vec<(Range<usize>, bool, bool)> = vec![]; // range, after a break, before a break
    let mut after_break = true;
    for (r, by_break) in pieces {
        let s = &body[r.clone()];
        let lead = s.len() - s.trim_start().len();
        let kept = s.trim().len();
        if kept > 0 {
            trimmed.push((r.start + lead..r.start + lead + kept, after_break, by_break));
        }
        after_break = by_break || (kept == 0 && after_break);
    }
    // A piece too short to be a clause: a table cell or a bare marker on a
    // line of its own is dropped; a stray `等。` after a sentence joins it.
    let mut out: Vec<Range<usize>> = vec![];
    let mut pending: Option<Range<usize>> = None;
    for (r, after_break, before_break) in trimmed {
        let r = match pending.take() {
            Some(p) => p.start..r.end,
            None => r,
        };
        if is_clause(&body[r.clone()]) {
            out.push(r);
        } else if after_break && before_break {
            // On a line or in a cell of its own: not a clause.
        } else if let (Some(last), false) = (out.last_mut(), after_break) {
            last.end = r.end;
        } else if !before_break {
            pending = Some(r);
        }
    }
    if let Some(p) = pending {
        if is_clause(&body[p.clone()]) {
            out.push(p);
        }
    }
    out.into_iter()
        .map(|r| start + r.start..start + r.end)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(text: &'a str, ranges: &[Range<usize>]) -> Vec<&'a str> {
        ranges.iter().map(|r| &text[r.clone()]).collect()
    }

    #[test]
    fn sentences_and_semicolons() {
        let t = "支持建立产业招商联盟。引入市场化招商方式；加强招商队伍建设。";
        assert_eq!(
            texts(t, &split(t, 0..t.len())),
            vec![
                "支持建立产业招商联盟。",
                "引入市场化招商方式；",
                "加强招商队伍建设。"
            ]
        );
    }

    #[test]
    fn closers_stay_and_short_pieces_join() {
        let t = "实行“一业一策”“一企一策。”（1）\n建设人才公寓。等。";
        let got = texts(t, &split(t, 0..t.len()));
        assert_eq!(
            got,
            vec!["实行“一业一策”“一企一策。”（1）", "建设人才公寓。等。"]
        );
    }

    #[test]
    fn lines_and_cells_break() {
        let t = "第十条 国家鼓励下列投资：\n（一）高新技术产业\n（二）现代服务业\t区商务局";
        let got = texts(t, &split(t, 0..t.len()));
        assert_eq!(
            got,
            vec![
                "第十条 国家鼓励下列投资：",
                "（一）高新技术产业",
                "（二）现代服务业",
                "区商务局"
            ]
        );
    }

    #[test]
    fn ranges_are_inside_and_ordered() {
        let t = "甲。乙丙丁戊己庚。  辛壬癸子丑寅";
        let r = split(t, 3..t.len());
        assert!(r.windows(2).all(|w| w[0].end <= w[1].start));
        assert!(r.iter().all(|x| x.start >= 3 && x.end <= t.len()));
        assert!(split("", 0..0).is_empty());
        assert!(split("。。；", 0..9).is_empty());
        // Out-of-range or mid-character ranges give nothing rather than panic.
        assert!(split("人才", 1..5).is_empty());
    }
}
