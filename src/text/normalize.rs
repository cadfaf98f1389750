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

/// Code point ranges whose fold is looked up in [`SINGLE`] instead of running
/// the normalizer: Latin-1, general punctuation (curly quotes, dashes),
/// CJK punctuation and full-width forms, the non-ideographs of Chinese text.
const TABLE_RANGES: [(u32, u32); 4] = [
    (0x00A0, 0x0100),
    (0x2000, 0x2070),
    (0x3000, 0x3040),
    (0xFF00, 0xFFF0),
];

/// A [`SINGLE`] entry for a character whose fold is not one character.
const NOT_SINGLE: u32 = u32::MAX;

/// For each character of [`TABLE_RANGES`] (in order), what [`fold_nfkc`]
/// makes of it when that is exactly one character, else [`NOT_SINGLE`].
/// Built from the normalizer itself on first use, so it cannot disagree.
static SINGLE: std::sync::LazyLock<Vec<u32>> = std::sync::LazyLock::new(|| {
    TABLE_RANGES
        .iter()
        .flat_map(|&(lo, hi)| lo..hi)
        .map(|u| {
            let mut folded = char::from_u32(u).into_iter().flat_map(fold_nfkc);
            match (folded.next(), folded.next()) {
                (Some(d), None) => d as u32,
                _ => NOT_SINGLE,
            }
        })
        .collect()
});

/// The fold of `c` when it is one character known without the normalizer:
/// ASCII (NFKC leaves it unchanged), the unified ideographs (likewise) and
/// the characters of [`TABLE_RANGES`].
#[inline]
fn fold_single(c: char) -> Option<char> {
    let u = c as u32;
    if u < 0x80 {
        return Some(c.to_ascii_lowercase());
    }
    if (0x4E00..=0x9FFF).contains(&u) {
        return Some(c);
    }
    let mut base = 0;
    for &(lo, hi) in &TABLE_RANGES {
        if u < lo {
            return None;
        }
        if u < hi {
            let d = SINGLE[base + (u - lo) as usize];
            // Entries hold chars or NOT_SINGLE (not a char).
            return char::from_u32(d);
        }
        base += (hi - lo) as usize;
    }
    None
}

/// The fold of one character through the normalizer (before whitespace
/// handling): NFKC, whitespace to a space, ASCII lower case.
fn fold_nfkc(c: char) -> impl Iterator<Item = char> {
    std::iter::once(c).nfkc().map(|d| {
        if d.is_whitespace() {
            ' '
        } else {
            d.to_ascii_lowercase()
        }
    })
}

/// The matching form of `text`. Idempotent: `fold(&fold(s)) == fold(s)`.
///
/// What [`fold_each`] emits, with a shortcut for the characters that fold
/// to themselves and are not whitespace (the unified ideographs from
/// U+4E00 on, ASCII other than upper case and whitespace, 、。《》“” and
/// the like): while no space is pending, a run of them is copied whole
/// instead of being decoded, folded and encoded again one by one (a third
/// of the instructions on Chinese text; the index folds every provision's
/// text and heading).
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut spaces = Spaces::default();
    let mut i = 0;
    while i < b.len() {
        if spaces.pending.is_none() {
            let start = i;
            let mut last = None;
            while i < b.len() {
                match b[i] {
                    c @ 0..=0x7F if !c.is_ascii_uppercase() && !(c as char).is_whitespace() => {
                        last = Some(c as char);
                        i += 1;
                    }
                    0xE5..=0xE9 => {
                        last = None;
                        i += 3;
                    }
                    0xE4 if b[i + 1] >= 0xB8 => {
                        last = None;
                        i += 3;
                    }
                    0x80.. => {
                        // Other characters that fold to themselves (、。《》“”).
                        let c = text[i..].chars().next().expect("a char at a boundary");
                        if fold_single(c) != Some(c) || c.is_whitespace() {
                            break;
                        }
                        last = Some(c);
                        i += c.len_utf8();
                    }
                    _ => break,
                }
            }
            if i > start {
                folded.push_str(&text[start..i]);
                spaces.prev = last.or_else(|| text[..i].chars().next_back());
            }
            if i >= b.len() {
                break;
            }
        }
        let c = text[i..].chars().next().expect("a char at a boundary");
        fold_step(c, i, &mut spaces, &mut |d, _| folded.push(d));
        i += c.len_utf8();
    }
    folded
}

/// Fold `text` and also return, for each char of the folded string, the byte
/// offset in `text` of the original character it came from (plus one final
/// entry for the end). Snippets use it to map matches back to display text.
pub fn fold_with_map(text: &str) -> (String, Vec<usize>) {
    let mut folded = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len() / 2);
    fold_each(text, |d, orig| {
        folded.push(d);
        map.push(orig);
    });
    map.push(text.len());
    (folded, map)
}

/// Core of [`fold`]: `emit(folded_char, original_byte_offset)` is called for
/// every char of the folded text, in order (no string is built).
#[inline]
pub(crate) fn fold_each(text: &str, mut emit: impl FnMut(char, usize)) {
    let mut spaces = Spaces::default();
    for (offset, c) in text.char_indices() {
        fold_step(c, offset, &mut spaces, &mut emit);
    }
}

/// One step of [`fold_each`]: the original char `c` at `offset`.
#[inline(always)]
fn fold_step(c: char, offset: usize, spaces: &mut Spaces, emit: &mut impl FnMut(char, usize)) {
    match fold_single(c) {
        Some(d) => spaces.push(d, offset, emit),
        None => {
            for d in fold_nfkc(c) {
                spaces.push(d, offset, emit);
            }
        }
    }
}

/// The whitespace handling of [`fold_each`]: a run of whitespace becomes
/// one space, emitted only if the chars on both sides are non-CJK.
#[derive(Default)]
struct Spaces {
    /// Where the pending whitespace run started.
    pending: Option<usize>,
    /// The last char emitted.
    prev: Option<char>,
}

impl Spaces {
    /// Take the folded char `d` of the original char at `offset`.
    #[inline(always)]
    fn push(&mut self, d: char, offset: usize, emit: &mut impl FnMut(char, usize)) {
        if d.is_whitespace() {
            if self.pending.is_none() {
                self.pending = Some(offset);
            }
            return;
        }
        let d = d.to_ascii_lowercase();
        if let Some(space_at) = self.pending.take() {
            if let Some(p) = self.prev {
                if !is_cjk(p) && !is_cjk(d) {
                    emit(' ', space_at);
                }
            }
        }
        emit(d, offset);
        self.prev = Some(d);
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

    /// The pre-table fold of one character, as it was written before the
    /// lookup table: ASCII other than upper case and the unified ideographs
    /// unchanged, everything else through the normalizer.
    fn reference(c: char) -> Vec<char> {
        let mut out = vec![];
        if (c.is_ascii() && !c.is_ascii_uppercase()) || (0x4E00..=0x9FFF).contains(&(c as u32)) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for d in c.encode_utf8(&mut buf).nfkc() {
                out.push(if d.is_whitespace() {
                    ' '
                } else {
                    d.to_ascii_lowercase()
                });
            }
        }
        out
    }

    /// The fold of one character now (before whitespace handling).
    fn fold_char(c: char) -> Vec<char> {
        match fold_single(c) {
            Some(d) => vec![d],
            None => fold_nfkc(c).collect(),
        }
    }

    #[test]
    fn table_agrees_with_the_normalizer() {
        let ranges = TABLE_RANGES
            .iter()
            .map(|&(lo, hi)| lo..hi)
            .chain([0..0x80, 0x4E00..0xA000]);
        for u in ranges.flatten() {
            let c = char::from_u32(u).unwrap();
            assert_eq!(fold_char(c), reference(c), "U+{u:04X}");
        }
        // Some entries are not single characters and take the slow path.
        assert!(fold_single('…').is_none());
        assert_eq!(fold("…½"), "...1⁄2");
    }

    /// [`fold_with_map`] as it was written before the lookup table.
    fn reference_fold_with_map(text: &str) -> (String, Vec<usize>) {
        let mut out = String::new();
        let mut map = vec![];
        let mut pending_space: Option<usize> = None;
        let mut prev: Option<char> = None;
        for (offset, c) in text.char_indices() {
            for d in reference(c) {
                if d.is_whitespace() {
                    if pending_space.is_none() {
                        pending_space = Some(offset);
                    }
                    continue;
                }
                let d = d.to_ascii_lowercase();
                if let Some(space_at) = pending_space.take() {
                    if let Some(p) = prev {
                        if !is_cjk(p) && !is_cjk(d) {
                            out.push(' ');
                            map.push(space_at);
                        }
                    }
                }
                out.push(d);
                map.push(offset);
                prev = Some(d);
            }
        }
        map.push(text.len());
        (out, map)
    }

    #[test]
    fn every_text_folds_as_before() {
        // Every char, with whitespace of several kinds between some of them.
        let mut text = String::new();
        for (i, c) in (0..=0x10FFFF).filter_map(char::from_u32).enumerate() {
            text.push(c);
            text.push_str(["", " ", "", "\t", "\u{3000}", "  ", "\u{a0}"][i % 7]);
        }
        let want = reference_fold_with_map(&text);
        assert!(fold_with_map(&text) == want);
        assert!(fold(&text) == want.0);
    }

    /// [`fold`] (which copies runs of characters that fold to themselves)
    /// is what [`fold_each`] emits, on texts mixing such runs with spaces,
    /// upper case, fullwidth forms and characters at the edges of the runs'
    /// byte ranges.
    #[test]
    fn the_shortcut_folds_as_fold_each() {
        let parts = [
            "推进", "产业", " ", "  ", "\t", "\u{3000}", "800", "亿元", "RCEP", "ab", "Ｒ", "（",
            "一", "丁", "\u{4DFF}", "\u{4E00}", "\u{9FFF}", "\u{A000}", "\u{3400}", "é", "…", "\n",
            "\u{b}", ",", "。", "x", "Z", "😀", "\u{a0}", "“", "”",
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(seed % 12) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(parts[(seed >> 33) as usize % parts.len()]);
            }
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            let mut want = String::new();
            fold_each(&text, |d, _| want.push(d));
            assert_eq!(fold(&text), want, "{text:?}");
        }
    }

    #[test]
    fn every_char_folds_as_before() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(fold_char(c), reference(c), "U+{:04X}", c as u32);
        }
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
