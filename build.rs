//! Turns `data/jieba_dict.txt.zst` (a copy of jieba-rs 0.11's dictionary)
//! into the table `text::segment::Subset` looks words up in, in `OUT_DIR`:
//! the frequency total (u64), the number of words `n` (u32), `2^16 + 1`
//! bucket starts (u32: the entries whose key's top 16 bits are `b` are
//! `starts[b]..starts[b + 1]`), `n` entries (u64 key of the word's first
//! characters, `dict_key.rs`; u32 offset of its line in the text), sorted
//! by key then offset, then the dictionary's text. A `Subset` then finds
//! the words its texts can hold by their grams' keys, without
//! decompressing or reading every line of the dictionary.

#[path = "src/text/dict_key.rs"]
#[allow(dead_code)]
mod dict_key;

fn main() {
    println!("cargo:rerun-if-changed=data/jieba_dict.txt.zst");
    println!("cargo:rerun-if-changed=src/text/dict_key.rs");
    println!("cargo:rerun-if-changed=build.rs");
    no_pie();
    let zst = std::fs::read("data/jieba_dict.txt.zst").expect("data/jieba_dict.txt.zst");
    let text = zstd::decode_all(&zst[..]).expect("the jieba dictionary decompresses");
    // Lines parsed as jieba-rs's `load_default_dict` parses them (fields
    // split on ASCII whitespace, a missing frequency 0).
    let mut total: u64 = 0;
    let mut entries: Vec<(u64, u32)> = Vec::new();
    let mut at = 0usize;
    for line in text.split(|&b| b == b'\n') {
        let start = at;
        at += line.len() + 1;
        let mut fields = line
            .split(|b| b.is_ascii_whitespace())
            .filter(|f| !f.is_empty());
        let Some(word) = fields.next() else { continue };
        std::str::from_utf8(word).expect("the jieba dictionary is UTF-8");
        let freq = fields.next().map_or(0, |f| {
            std::str::from_utf8(f)
                .ok()
                .and_then(|f| f.parse::<u64>().ok())
                .expect("a frequency")
        });
        total += freq;
        entries.push((dict_key::key(dict_key::lead(word)), start as u32));
    }
    entries.sort_unstable();
    let buckets = 1usize << dict_key::BUCKET_BITS;
    let mut out = Vec::with_capacity(12 + 4 * (buckets + 1) + 12 * entries.len() + text.len());
    out.extend(total.to_le_bytes());
    out.extend((entries.len() as u32).to_le_bytes());
    let mut k = 0;
    for b in 0..=buckets {
        while k < entries.len() && ((entries[k].0 >> (64 - dict_key::BUCKET_BITS)) as usize) < b {
            k += 1;
        }
        out.extend((k as u32).to_le_bytes());
    }
    for (key, start) in &entries {
        out.extend(key.to_le_bytes());
        out.extend(start.to_le_bytes());
    }
    out.extend(&text);
    let dir = std::env::var("OUT_DIR").expect("OUT_DIR");
    std::fs::write(std::path::Path::new(&dir).join("jieba_dict.bin"), out)
        .expect("writing the dictionary table");
}

/// The command-line binary is linked at a fixed address (not as a
/// position-independent executable) on Linux: a PIE of this size carries
/// ~47,000 relative relocations, which the dynamic loader applies at every
/// start by writing ~230 pages of `.data.rel.ro` (copy-on-write faults):
/// about 0.6 ms of CPU per command (`--version` 1.55 -> 0.94 ms;
/// BENCHMARKS.md, "Session 13"). The objects stay position-independent;
/// only the final link changes, and only for the binaries (not the tests).
fn no_pie() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
