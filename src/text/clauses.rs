//! Clauses: the sentences a provision states its measures in.
//!
//! A clause ends at a sentence end (。！？； and their ASCII forms), at a
//! line break (a numbered sub-item or a new paragraph starts on its own
//! line) and at a tab (the cells of a table row). Closing quotes and
//! brackets right after a sentence end stay with the clause they close.
//! A piece with fewer than [`MIN_CLAUSE_CHARS`] letters or digits (a bare
//! `（1）`, a stray `等。`) is not a clause of its own: it joins the clause
//! before it (or, at the start, the one after it).
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

/// Byte ranges of the clauses of `text[range]`; see the module documentation.
pub fn split(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let end = range.end.min(text.len());
    let start = range.start.min(end);
    let Some(body) = text.get(start..end) else {
        return vec![];
    };
    // Raw pieces.
    let mut pieces: Vec<Range<usize>> = vec![];
    let mut at = 0usize;
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_break(c) {
            pieces.push(at..i);
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
            pieces.push(at..stop);
            at = stop;
        }
    }
    pieces.push(at..body.len());
    // Trim whitespace, drop empty pieces.
    let pieces: Vec<Range<usize>> = pieces
        .into_iter()
        .filter_map(|r| {
            let s = &body[r.clone()];
            let lead = s.len() - s.trim_start().len();
            let kept = s.trim().len();
            (kept > 0).then(|| r.start + lead..r.start + lead + kept)
        })
        .collect();
    // Join pieces too short to be a clause to a neighbour.
    let mut out: Vec<Range<usize>> = vec![];
    let mut pending: Option<Range<usize>> = None;
    for r in pieces {
        let r = match pending.take() {
            Some(p) => p.start..r.end,
            None => r,
        };
        if content_chars(&body[r.clone()]) >= MIN_CLAUSE_CHARS {
            out.push(r);
        } else if let Some(last) = out.last_mut() {
            last.end = r.end;
        } else {
            pending = Some(r);
        }
    }
    if let Some(p) = pending {
        // Only short pieces: one clause, if it has any content at all.
        if content_chars(&body[p.clone()]) > 0 {
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
