// The key of a dictionary word in the table `build.rs` writes and
// `text::segment::Subset` reads: FNV-1a (64 bits) of the bytes of its
// first `GRAM` characters (all of them for a shorter word), so that the
// words a gram of a text can stand for are the entries under the gram's
// key. Included by both (one definition).

/// Characters in a gram of [`Subset`]'s substring test.
pub const GRAM: usize = 4;

/// The bytes of the first [`GRAM`] characters of UTF-8 `word`.
pub fn lead(word: &[u8]) -> &[u8] {
    let mut chars = 0;
    for (i, b) in word.iter().enumerate() {
        if b & 0xC0 != 0x80 {
            if chars == GRAM {
                return &word[..i];
            }
            chars += 1;
        }
    }
    word
}

/// FNV-1a, 64 bits.
pub fn key(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Buckets of the table by a key's top bits.
pub const BUCKET_BITS: u32 = 16;
