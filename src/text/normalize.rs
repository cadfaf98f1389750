//! The one matching normalization. Every stage that compares text (the index,
//! the phrase contract, topic scoring, alignment) folds both the document and
//! the query through [`fold`]; displayed text keeps the original characters.
//!
//! Folding: NFKC per character (full-width letters, digits and punctuation
//! become half-width, ① becomes 1), ASCII lower-casing, and whitespace removal
//! next to CJK characters ("800 亿元" and "800亿元" match; PDF extraction puts
//! spaces inside words). Other whitespace runs collapse to one space.

use unicode_normalization::UnicodeNormalization;

/// Bumped whenever [`fold`] changes, so indexes built with an older fold are rebuilt.
pub const FOLD_VERSION: u32 = 1;

/// Is `c` a CJK character or CJK punctuation (the contexts where spaces are noise)?
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF   // radicals
        | 0x3001..=0x303F // CJK punctuation (not the ideographic space U+3000)
        | 0x3040..=0x30FF // kana
        | 0x3400..=0x4DBF // ext A
        | 0x4E00..=0x9FFF // unified ideographs
        | 0xF900..=0xFAFF // compatibility ideographs
        | 0xFE30..=0xFE4F // CJK compatibility forms
        | 0xFF00..=0xFFEF // full-width forms
        | 0x20000..=0x3134F // ext B..G
        | 0x2018..=0x201F // curly quotes, used as CJK quotes
        | 0x2014 | 0x2026 // em dash, ellipsis
    )
}

/// Is `c` a Chinese ideograph (what "Chinese characters" counts)?
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

fn fast_path(c: char) -> bool {
    // NFKC leaves these unchanged; skip the normalizer for them.
    (c.is_ascii() && !c.is_ascii_uppercase()) || (0x4E00..=0x9FFF).contains(&(c as u32))
}

/// Fold one character into `out` (before whitespace handling).
fn fold_char(c: char, out: &mut impl FnMut(char)) {
    if fast_path(c) {
        out(c);
        return;
    }
    let mut buf = [0u8; 4];
    for d in c.encode_utf8(&mut buf).nfkc() {
        let d = if d.is_whitespace() {
            ' '
        } else {
            d.to_ascii_lowercase()
        };
        out(d);
    }
}

/// The matching form of `text`. Idempotent: `fold(&fold(s)) == fold(s)`.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    fold_into(text, &mut folded, &mut |_, _| {});
    folded
}

/// Fold `text` and also return, for each char of the folded string, the byte
/// offset in `text` of the original character it came from (plus one final
/// entry for the end). Snippets use it to map matches back to display text.
pub fn fold_with_map(text: &str) -> (String, Vec<usize>) {
    let mut folded = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len() / 2);
    fold_into(text, &mut folded, &mut |_, orig| map.push(orig));
    map.push(text.len());
    (folded, map)
}

/// Core of [`fold`]; `emit(folded_char, original_byte_offset)` is called for
/// every char appended to `out`.
fn fold_into(text: &str, out: &mut String, emit: &mut impl FnMut(char, usize)) {
    // Pending whitespace: emitted only if the chars on both sides are non-CJK.
    let mut pending_space: Option<usize> = None;
    let mut prev: Option<char> = None;
    for (offset, c) in text.char_indices() {
        let mut sink = |d: char| {
            if d.is_whitespace() {
                if pending_space.is_none() {
                    pending_space = Some(offset);
                }
                return;
            }
            let d = d.to_ascii_lowercase();
            if let Some(space_at) = pending_space.take() {
                if let Some(p) = prev {
                    if !is_cjk(p) && !is_cjk(d) {
                        out.push(' ');
                        emit(' ', space_at);
                    }
                }
            }
            out.push(d);
            emit(d, offset);
            prev = Some(d);
        };
        fold_char(c, &mut sink);
    }
}

/// Display clean-up for one line of extracted text: trims the edges. The
/// characters themselves are kept as they were.
pub fn clean_line(line: &str) -> &str {
    line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

/// Remove spaces between two CJK characters ("推进产 业协同" → "推进产业协同"),
/// for short labels such as titles and table groups. Other characters are kept.
pub fn squeeze_cjk_spaces(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            let prev = out.chars().last();
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if prev.is_some_and(is_cjk) || next.is_some_and(|n| is_cjk(*n)) {
                continue;
            }
            if prev.is_some_and(char::is_whitespace) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(fold(input), expected, "fold({input:?})");
        assert_eq!(
            fold(expected),
            expected,
            "fold is idempotent on {expected:?}"
        );
    }

    #[test]
    fn folds_width_spaces_and_case() {
        check(
            "“十四五”末，市开发区地区生产总值突破 800 亿元",
            "“十四五”末,市开发区地区生产总值突破800亿元",
        );
        check("（一）ＲＣＥＰ签订", "(一)rcep签订");
        check("连政发〔2021〕25 号", "连政发〔2021〕25号");
        check("R&D 经费  占 GDP", "r&d经费占gdp");
        check("a  b\tc", "a b c");
        check("推进产 业协同创 新体系建设", "推进产业协同创新体系建设");
        check("①", "1");
        check("", "");
    }

    #[test]
    fn map_points_to_original_chars() {
        let text = "突破 800 亿元（ＡＢ）";
        let (folded, map) = fold_with_map(text);
        assert_eq!(folded, "突破800亿元(ab)");
        assert_eq!(folded.chars().count() + 1, map.len());
        let chars: Vec<char> = folded.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            let orig = text[map[i]..].chars().next().unwrap();
            assert_eq!(fold(&orig.to_string()), c.to_string());
        }
    }
}
