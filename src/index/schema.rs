//! The index schema: one tantivy document per provision.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::Index;

use super::tokenize::{WordTokenizer, WORDS};

/// Bump when fields or their tokenization change, or what a commit's
/// payload refers to (10: the per-document states may come in parts,
/// `states_parts`, which a build before it would not read: it would take
/// the documents of the parts for new ones and index them twice; 11: the
/// character chunks also hold character pairs, which a phrase query of a
/// build before it would not find in older chunks).
pub const SCHEMA_VERSION: u32 = 11;

/// Fast fields locating a provision's folded text in `texts.bin`.
pub const TEXT_AT: &str = "text_at";
pub const TEXT_LEN: &str = "text_len";
/// Fast field numbering a provision's text in `texts.bin` order (the key of
/// the character postings, see [`chars`](super::chars)).
pub const TEXT_ORD: &str = "text_ord";
/// Fast field: how many leading words of `words` are the heading's (see
/// [`heading`](super::heading)).
pub const HEADING_WORDS: &str = "heading_words";
/// Fast fields locating a provision's folded heading in `texts.bin`: the
/// start of its text when the text starts with it, else bytes written just
/// before the text (schema 9; word search counts heading occurrences there).
pub const HEAD_AT: &str = "head_at";
pub const HEAD_LEN: &str = "head_len";

#[derive(Clone, Copy)]
pub struct Fields {
    pub pid: Field,
    pub doc_id: Field,
    pub seq: Field,
    pub kind: Field,
    pub topics: Field,
    /// Stored display fields.
    pub heading: Field,
    pub path: Field,
    pub text: Field,
    pub units: Field,
    /// Indexed: jieba words of the folded heading (unless the text starts
    /// with it) and text (BM25; positions).
    pub words: Field,
    /// Fast: how many leading words of `words` are the heading's.
    pub heading_words: Field,
    /// Fast: where the folded text lies in `texts.bin` (byte offset, length)
    /// and its ordinal there.
    pub text_at: Field,
    pub text_len: Field,
    pub text_ord: Field,
    /// Fast: where the folded heading lies in `texts.bin`.
    pub head_at: Field,
    pub head_len: Field,
}

fn indexed(tokenizer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record),
    )
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        pid: b.add_text_field("pid", STRING | STORED | FAST),
        doc_id: b.add_text_field("doc_id", STRING | STORED | FAST),
        seq: b.add_u64_field("seq", STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        topics: b.add_text_field("topics", STRING | STORED),
        heading: b.add_text_field("heading", STORED),
        path: b.add_text_field("path", STORED),
        text: b.add_text_field("text", STORED),
        units: b.add_text_field("units", STORED),
        words: b.add_text_field(
            "words",
            indexed(WORDS, IndexRecordOption::WithFreqsAndPositions),
        ),
        heading_words: b.add_u64_field(HEADING_WORDS, FAST),
        text_at: b.add_u64_field(TEXT_AT, FAST),
        text_len: b.add_u64_field(TEXT_LEN, FAST),
        text_ord: b.add_u64_field(TEXT_ORD, FAST),
        head_at: b.add_u64_field(HEAD_AT, FAST),
        head_len: b.add_u64_field(HEAD_LEN, FAST),
    };
    (b.build(), fields)
}

pub fn fields_of(schema: &Schema) -> tantivy::Result<Fields> {
    let f = |name: &str| schema.get_field(name);
    Ok(Fields {
        pid: f("pid")?,
        doc_id: f("doc_id")?,
        seq: f("seq")?,
        kind: f("kind")?,
        topics: f("topics")?,
        heading: f("heading")?,
        path: f("path")?,
        text: f("text")?,
        units: f("units")?,
        words: f("words")?,
        heading_words: f(HEADING_WORDS)?,
        text_at: f(TEXT_AT)?,
        text_len: f(TEXT_LEN)?,
        text_ord: f(TEXT_ORD)?,
        head_at: f(HEAD_AT)?,
        head_len: f(HEAD_LEN)?,
    })
}

pub fn register_tokenizers(index: &Index) {
    index.tokenizers().register(WORDS, WordTokenizer::default());
}
