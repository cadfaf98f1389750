//! A semantic signal for clause scores: static word vectors shipped with the
//! tool (`data/word_vectors.bin`), so that two clauses stating one measure
//! in different words (招商引资 / 投资促进) still come out alike.
//!
//! A clause's vector is the IDF-weighted mean of its words' vectors
//! (model2vec-style), a word missing from the table is the mean of its
//! characters' vectors, and two clauses compare by cosine. The table is
//! distilled offline from a sentence-embedding model by
//! `scripts/embed_words.py` and `scripts/build_word_vectors.py` (see their
//! headers); nothing but this file is read at run time.
//!
//! File format (little-endian): `PDWV1\n`, `u32` rows, `u32` dims, then per
//! row a `u8` byte length and the word in UTF-8, then per row an `f32`
//! scale and `dims` `i8` components (the unit vector is `scale * i8`).

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use crate::compare::similarity::key;

static INSTEAD: OnceLock<WordVectors> = OnceLock::new();

/// The word vectors.
pub struct WordVectors {
    pub dims: usize,
    rows: HashMap<u64, u32>,
    data: Vec<f32>,
    /// Words in the table (for provenance).
    pub words: usize,
}

impl WordVectors {
    /// Parse the table; `None` when the bytes are not one.
    pub fn parse(bytes: &[u8]) -> Option<WordVectors> {
        let rest = bytes.strip_prefix(b"PDWV1\n")?;
        let u32_at = |b: &[u8], i: usize| -> Option<u32> {
            Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
        };
        let n = u32_at(rest, 0)? as usize;
        let dims = u32_at(rest, 4)? as usize;
        let mut at = 8;
        let mut rows = HashMap::with_capacity(n);
        for r in 0..n {
            let len = *rest.get(at)? as usize;
            let w = std::str::from_utf8(rest.get(at + 1..at + 1 + len)?).ok()?;
            rows.insert(key(w), r as u32);
            at += 1 + len;
        }
        let mut data = Vec::with_capacity(n * dims);
        for _ in 0..n {
            let scale = f32::from_le_bytes(rest.get(at..at + 4)?.try_into().ok()?);
            let q = rest.get(at + 4..at + 4 + dims)?;
            data.extend(q.iter().map(|&x| scale * f32::from(x as i8)));
            at += 4 + dims;
        }
        Some(WordVectors {
            dims,
            rows,
            data,
            words: n,
        })
    }

    /// The table shipped with the tool (or the one given to
    /// [`WordVectors::use_instead`]).
    pub fn builtin() -> &'static WordVectors {
        static V: LazyLock<WordVectors> = LazyLock::new(|| {
            WordVectors::parse(include_bytes!("../../../data/word_vectors.bin"))
                .expect("data/word_vectors.bin is a word-vector table")
        });
        INSTEAD.get().unwrap_or(&V)
    }

    /// Use `table` instead of the shipped table from now on (for the
    /// evaluation of candidate tables without a rebuild); false when a
    /// table was already given.
    pub fn use_instead(table: WordVectors) -> bool {
        INSTEAD.set(table).is_ok()
    }

    /// The vector of `word`, if the table has it.
    pub fn get(&self, word: &str) -> Option<&[f32]> {
        let r = *self.rows.get(&key(word))? as usize;
        Some(&self.data[r * self.dims..(r + 1) * self.dims])
    }

    /// Add `weight` times the vector of `word` to `acc` (a missing word: the
    /// mean of its characters' vectors). False when nothing was known.
    pub fn add_word(&self, acc: &mut [f32], word: &str, weight: f32) -> bool {
        if let Some(v) = self.get(word) {
            acc.iter_mut().zip(v).for_each(|(a, x)| *a += weight * x);
            return true;
        }
        let mut buf = [0u8; 4];
        let known: Vec<&[f32]> = word
            .chars()
            .filter_map(|c| self.get(c.encode_utf8(&mut buf)))
            .collect();
        if known.is_empty() {
            return false;
        }
        let w = weight / known.len() as f32;
        for v in known {
            acc.iter_mut().zip(v).for_each(|(a, x)| *a += w * x);
        }
        true
    }

    /// A short description for provenance.
    pub fn describe(&self) -> String {
        format!("{} words × {} dims", self.words, self.dims)
    }
}

/// Scale `v` to unit length (left as is when zero).
pub fn normalize(v: &mut [f32]) {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}

/// Cosine of two unit vectors (0 when either is empty).
pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    f64::from(a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(words: &[(&str, [i8; 2])]) -> Vec<u8> {
        let mut b = b"PDWV1\n".to_vec();
        b.extend((words.len() as u32).to_le_bytes());
        b.extend(2u32.to_le_bytes());
        for (w, _) in words {
            b.push(w.len() as u8);
            b.extend(w.as_bytes());
        }
        for (_, v) in words {
            b.extend((1.0f32 / 127.0).to_le_bytes());
            b.extend(v.iter().map(|&x| x as u8));
        }
        b
    }

    #[test]
    fn parses_and_falls_back_to_characters() {
        let t = WordVectors::parse(&table(&[("招商", [127, 0]), ("投", [0, 127])])).unwrap();
        assert_eq!(t.dims, 2);
        assert!((t.get("招商").unwrap()[0] - 1.0).abs() < 1e-6);
        let mut acc = [0.0f32; 2];
        assert!(t.add_word(&mut acc, "投资", 1.0));
        assert!((acc[1] - 1.0).abs() < 1e-6);
        assert!(!t.add_word(&mut acc, "资金", 1.0));
        assert!(WordVectors::parse(b"nope").is_none());
    }

    #[test]
    fn the_builtin_table_loads() {
        let t = WordVectors::builtin();
        assert!(t.words > 1000 && t.dims >= 16, "{}", t.describe());
        assert!(t.get("招商引资").is_some());
    }
}
