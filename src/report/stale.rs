//! How JSON outputs carry the `stale` object (the index answering them is
//! behind the corpus and could not be updated: [`crate::app::Stale`])
//! without changing their shape when the index is fresh:
//! - a JSON object gains a `stale` key (`Workspace::with_stale`);
//! - a JSON array stays an array when fresh; when stale it is wrapped as
//!   `{"stale": {…}, KEY: [ …the array… ]}` ([`json_list`]);
//! - JSON lines end, when stale, with one more line `{"stale": {…}}`, the
//!   only record without the rows' keys ([`jsonl_end`]).

use std::io::{self, Write};

use serde::Serialize;

use crate::app::Stale;

/// `items` (a JSON array) pretty-printed; wrapped under `key` with the
/// `stale` object when there is one.
pub fn json_list<T: Serialize + ?Sized>(
    out: &mut impl Write,
    key: &str,
    items: &T,
    stale: Option<&Stale>,
) -> io::Result<()> {
    match stale {
        None => serde_json::to_writer_pretty(&mut *out, items)?,
        Some(stale) => {
            let mut map = serde_json::Map::new();
            map.insert("stale".into(), serde_json::to_value(stale)?);
            map.insert(key.into(), serde_json::to_value(items)?);
            serde_json::to_writer_pretty(&mut *out, &map)?;
        }
    }
    writeln!(out)
}

/// The last line of a JSON lines output: `{"stale": {…}}` when stale,
/// nothing otherwise.
pub fn jsonl_end(out: &mut impl Write, stale: Option<&Stale>) -> io::Result<()> {
    if let Some(stale) = stale {
        #[derive(Serialize)]
        struct Line<'a> {
            stale: &'a Stale,
        }
        serde_json::to_writer(&mut *out, &Line { stale })?;
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stale() -> Stale {
        Stale {
            reason: "the corpus changed (1 new)".into(),
            error: "No space left on device".into(),
        }
    }

    #[test]
    fn fresh_outputs_keep_their_shape() {
        let mut out = vec![];
        json_list(&mut out, "documents", &[1, 2], None).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v, serde_json::json!([1, 2]));
        let mut out = vec![];
        jsonl_end(&mut out, None).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn stale_outputs_say_so() {
        let mut out = vec![];
        json_list(&mut out, "documents", &[1, 2], Some(&stale())).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["documents"], serde_json::json!([1, 2]));
        assert_eq!(v["stale"]["error"], "No space left on device");
        let mut out = vec![];
        jsonl_end(&mut out, Some(&stale())).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 1);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["stale"]["reason"], "the corpus changed (1 new)");
    }
}
