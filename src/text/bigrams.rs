//! Character bigrams of folded text: the cheap measure of shared wording
//! used where jieba would be too slow or too coarse (similarity, task-table
//! groups).

/// A bigram as one integer: the two characters' scalar values side by side.
pub fn bigram_key(a: char, b: char) -> u64 {
    (u64::from(a as u32) << 32) | u64::from(b as u32)
}

/// Characters that carry content for the bigram measure.
fn is_content(c: char) -> bool {
    c.is_alphanumeric()
}

/// Bigrams of adjacent content characters of a folded text (punctuation and
/// spaces break a run).
pub fn bigrams(folded: &str) -> impl Iterator<Item = u64> + '_ {
    let mut prev: Option<char> = None;
    folded.chars().filter_map(move |c| {
        let out = match prev {
            Some(p) if is_content(c) => Some(bigram_key(p, c)),
            _ => None,
        };
        prev = if is_content(c) { Some(c) } else { None };
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation_breaks_runs() {
        let got: Vec<u64> = bigrams("人才，公寓").collect();
        assert_eq!(got, vec![bigram_key('人', '才'), bigram_key('公', '寓')]);
        assert_eq!(bigrams("人").count(), 0);
    }
}
