//! Headings: where they are and how long they are on average.
//!
//! The `words` field starts with the heading's words (the text's own first
//! words when the text starts with its heading, as 97% of the laws corpus's
//! provisions do; otherwise the heading is cut separately and put in
//! front), and the `heading_words` fast field says how many there are: the
//! heading's length in words. The folded heading itself lies in
//! `texts.bin` (`head_at`, `head_len`; schema 9), where word and phrase
//! queries count their occurrences in it ([`phrase`](super::phrase)).
//!
//! Until schema 8 the heading's words were a second indexed field, which
//! cost 8% of the index build for postings that repeated the text's; until
//! schema 9 a heading match was a word position below `heading_words`,
//! which missed a word inside a longer word of the heading.

use tantivy::Score;

use super::schema::HEADING_WORDS;

/// Documents read to estimate the average heading length.
const SAMPLE: u32 = 2048;

/// The average number of heading words, from up to [`SAMPLE`] documents
/// spread evenly over the segments.
pub(super) fn average_heading(searcher: &tantivy::Searcher) -> tantivy::Result<Score> {
    let total: u64 = searcher
        .segment_readers()
        .iter()
        .map(|s| u64::from(s.max_doc()))
        .sum();
    let step = (total / u64::from(SAMPLE)).max(1) as u32;
    let (mut sum, mut n) = (0u64, 0u64);
    for segment in searcher.segment_readers() {
        let column = segment
            .fast_fields()
            .u64(HEADING_WORDS)?
            .first_or_default_col(0);
        for doc in (0..segment.max_doc()).step_by(step as usize) {
            sum += column.get_val(doc);
            n += 1;
        }
    }
    Ok((sum as Score / n.max(1) as Score).max(1.0))
}
