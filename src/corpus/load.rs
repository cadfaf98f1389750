//! Bytes to text: UTF-8 (with or without BOM), UTF-16 (by BOM or by the
//! pattern of zero bytes), GB18030/GBK and other legacy encodings detected
//! with chardetng and decoded with encoding_rs. Binary data is refused.

use std::path::Path;

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// The encoding's WHATWG name, e.g. `UTF-8`, `gb18030`, `UTF-16LE`.
    pub encoding: &'static str,
}

/// Guess UTF-16 without a BOM: many zero bytes in odd or even positions.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    if bytes.len() < 4 || bytes.len() % 2 != 0 {
        return None;
    }
    let sample = &bytes[..bytes.len().min(4096)];
    let (mut even0, mut odd0) = (0usize, 0usize);
    for (i, b) in sample.iter().enumerate() {
        if *b == 0 {
            if i % 2 == 0 {
                even0 += 1
            } else {
                odd0 += 1
            }
        }
    }
    let pairs = sample.len() / 2;
    // ASCII-heavy UTF-16 has zero high bytes; CJK-heavy UTF-16 has none, so
    // also accept text that decodes cleanly with many CJK code units.
    if odd0 * 3 > pairs && even0 * 10 < pairs {
        return Some(UTF_16LE);
    }
    if even0 * 3 > pairs && odd0 * 10 < pairs {
        return Some(UTF_16BE);
    }
    // CJK-heavy text has zero bytes only in its ASCII (newlines, digits). A
    // file with any zero byte is refused as binary otherwise, so this test
    // only rescues files: almost every code unit must be CJK, CJK
    // punctuation, full-width forms or printable ASCII in one byte order.
    if even0 + odd0 > 0 {
        let plausible = |unit: u16| matches!(unit, 0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0x3000..=0x303F | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF | 0x2010..=0x206F);
        let share = |be: bool| {
            let ok = sample
                .chunks_exact(2)
                .map(|p| {
                    if be {
                        u16::from_be_bytes([p[0], p[1]])
                    } else {
                        u16::from_le_bytes([p[0], p[1]])
                    }
                })
                .filter(|&u| plausible(u))
                .count();
            ok as f64 / pairs as f64
        };
        let (le, be) = (share(false), share(true));
        if le >= 0.9 && le > be {
            return Some(UTF_16LE);
        }
        if be >= 0.9 && be > le {
            return Some(UTF_16BE);
        }
    }
    None
}

/// UTF-8 with a handful of invalid sequences: most multi-byte characters
/// decode, and the invalid ones are a tiny share. Text in a legacy encoding
/// (GBK) fails this at once, since its byte pairs are rarely valid UTF-8.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (text, _, had_errors) = UTF_8.decode(bytes);
    if !had_errors {
        return true;
    }
    let bad = text.chars().filter(|c| *c == '\u{fffd}').count();
    let multibyte = text
        .chars()
        .filter(|c| !c.is_ascii() && *c != '\u{fffd}')
        .count();
    multibyte >= bad * 10
}

/// Share of control characters (other than tab, newline, CR, form feed)
/// among the first 200,000 chars of decoded text.
///
/// Counted on the UTF-8 bytes: a char starts at every byte but the
/// continuation bytes (0x80 to 0xBF, below -0x40 as `i8`); the control
/// chars (`char::is_control`) are U+0000 to U+001F and U+007F, one byte
/// each, and U+0080 to U+009F, the bytes C2 80 to C2 9F. Blocks of 64
/// bytes are counted in bytes, which compiles to SIMD.
fn control_ratio(text: &str) -> f64 {
    const LIMIT: usize = 200_000;
    // A char is at least one byte: a text of at most LIMIT bytes has at most LIMIT chars.
    let counted = if text.len() <= LIMIT {
        text
    } else {
        &text[..text
            .char_indices()
            .nth(LIMIT)
            .map_or(text.len(), |(i, _)| i)]
    };
    let b = counted.as_bytes();
    // Without branches (`&`, `|`), so that the blocks below vectorize.
    let starts = |c: u8| u8::from(c as i8 >= -0x40);
    let c0 = |c: u8| {
        let allowed = (c == b'\t') | (c == b'\n') | (c == b'\r') | (c == 0x0C);
        u8::from(((c < 0x20) & !allowed) | (c == 0x7F))
    };
    let c1 = |c: u8, next: u8| u8::from((c == 0xC2) & (next.wrapping_sub(0x80) < 0x20));
    let (mut total, mut bad) = (0usize, 0usize);
    // Whole blocks whose every byte has a next byte.
    let blocks_end = b.len().saturating_sub(1) / 64 * 64;
    for k in (0..blocks_end).step_by(64) {
        let (x, next) = (&b[k..k + 64], &b[k + 1..k + 65]);
        let (mut t, mut n) = (0u8, 0u8);
        for j in 0..64 {
            t += starts(x[j]);
            n += c0(x[j]) + c1(x[j], next[j]);
        }
        total += usize::from(t);
        bad += usize::from(n);
    }
    for i in blocks_end..b.len() {
        total += usize::from(starts(b[i]));
        bad += usize::from(c0(b[i]) + c1(b[i], b.get(i + 1).copied().unwrap_or(0)));
    }
    if total == 0 {
        0.0
    } else {
        bad as f64 / total as f64
    }
}

/// Decode `bytes` read from `path` (the path only names the file in errors).
pub fn decode(path: &Path, bytes: &[u8]) -> Result<Decoded> {
    let (encoding, body): (&'static Encoding, &[u8]) = if let Some((enc, bom_len)) =
        Encoding::for_bom(bytes)
    {
        (enc, &bytes[bom_len..])
    } else if let Some(enc) = utf16_without_bom(bytes) {
        (enc, bytes)
    } else if std::str::from_utf8(bytes).is_ok() || mostly_utf8(bytes) {
        // Valid UTF-8, or UTF-8 with a few corrupt bytes (which become U+FFFD).
        (UTF_8, bytes)
    } else {
        let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        detector.feed(bytes, true);
        let guess = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Allow);
        // GBK is a subset of GB18030; decode as the superset.
        let guess = if guess == encoding_rs::GBK {
            GB18030
        } else {
            guess
        };
        (guess, bytes)
    };
    if memchr::memchr(0, body).is_some() && encoding != UTF_16LE && encoding != UTF_16BE {
        return Err(Error::input(
            path,
            "not a text file (it contains NUL bytes)",
        ));
    }
    let (text, _, had_errors) = encoding.decode(body);
    let text = text.into_owned();
    // UTF-8 with a few corrupt bytes was accepted by `mostly_utf8`; for a
    // guessed legacy encoding, replacement characters mean a wrong guess.
    let wrong_guess = had_errors && encoding != UTF_8 && replacement_ratio(&text) > 0.01;
    if control_ratio(&text) > 0.02 || wrong_guess {
        return Err(Error::input(
            path,
            format!(
                "not a text file (decoding as {} gives control characters or invalid sequences)",
                encoding.name()
            ),
        ));
    }
    Ok(Decoded {
        text,
        encoding: encoding.name(),
    })
}

fn replacement_ratio(text: &str) -> f64 {
    let total = text.chars().count().max(1);
    text.chars().filter(|c| *c == '\u{fffd}').count() as f64 / total as f64
}

/// Read and decode a file.
pub fn read_text(path: &Path) -> Result<Decoded> {
    let bytes = std::fs::read(path).map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
    decode_owned(path, bytes)
}

/// [`read_text`], with the content hash (`corpus::content_hash`) of the
/// bytes read: the file is read once for both.
pub fn read_text_hashed(path: &Path) -> Result<(Decoded, String)> {
    let bytes = std::fs::read(path).map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
    let hash = super::content_hash(&bytes);
    Ok((decode_owned(path, bytes)?, hash))
}

/// [`decode`], taking the bytes: valid UTF-8 without a BOM (the usual
/// case) becomes the text without being validated twice or copied.
fn decode_owned(path: &Path, bytes: Vec<u8>) -> Result<Decoded> {
    if Encoding::for_bom(&bytes).is_some() || utf16_without_bom(&bytes).is_some() {
        return decode(path, &bytes);
    }
    // simdutf8 validates Chinese text about ten times faster than the
    // standard library, whose fast path is for ASCII (the x1 build spent 2%
    // of its instructions in `from_utf8`). Not UTF-8: `decode` detects the
    // encoding.
    if simdutf8::basic::from_utf8(&bytes).is_err() {
        return decode(path, &bytes);
    }
    // SAFETY: simdutf8 has just validated `bytes` as UTF-8.
    let text = unsafe { String::from_utf8_unchecked(bytes) };
    // What `decode` does with valid UTF-8: encoding_rs would return the
    // same text without errors.
    if memchr::memchr(0, text.as_bytes()).is_some() {
        return Err(Error::input(
            path,
            "not a text file (it contains NUL bytes)",
        ));
    }
    if control_ratio(&text) > 0.02 {
        return Err(Error::input(
            path,
            format!(
                "not a text file (decoding as {} gives control characters or invalid sequences)",
                UTF_8.name()
            ),
        ));
    }
    Ok(Decoded {
        text,
        encoding: UTF_8.name(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "市政府关于加快推进高新技术产业开发区高质量发展的实施意见\n各县、区人民政府，市各有关单位：";

    fn round_trip(bytes: Vec<u8>, expected_encoding: &str) {
        let d = decode(Path::new("x.txt"), &bytes).unwrap();
        assert_eq!(d.text, SAMPLE);
        assert_eq!(d.encoding, expected_encoding);
    }

    #[test]
    fn encodings() {
        round_trip(SAMPLE.as_bytes().to_vec(), "UTF-8");
        round_trip(
            [&[0xEF, 0xBB, 0xBF][..], SAMPLE.as_bytes()].concat(),
            "UTF-8",
        );
        round_trip(GB18030.encode(SAMPLE).0.into_owned(), "gb18030");
        let le: Vec<u8> = SAMPLE
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        round_trip([&[0xFF, 0xFE][..], &le].concat(), "UTF-16LE");
        let be: Vec<u8> = SAMPLE
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        round_trip([&[0xFE, 0xFF][..], &be].concat(), "UTF-16BE");
    }

    #[test]
    fn cjk_heavy_utf16_without_a_bom() {
        let text = "连云港市人民政府\n\n连政发〔2022〕32号\n\n一、总体要求（一）指导思想：坚持以人才为本。\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let d = decode(Path::new("le.txt"), &le).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (text, "UTF-16LE"));
        let d = decode(Path::new("be.txt"), &be).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (text, "UTF-16BE"));
    }

    #[test]
    fn binary_is_refused_with_the_file_name() {
        let bytes: Vec<u8> = (0..2048u32).map(|i| (i * 7919 % 251) as u8).collect();
        let err = decode(Path::new("image.png"), &bytes).unwrap_err();
        assert!(err.to_string().contains("image.png"), "{err}");
        assert!(err.is_user_error());
    }

    #[test]
    fn a_few_bad_bytes_in_utf8_are_replaced_not_misdetected() {
        let mut bytes = SAMPLE.repeat(20).into_bytes();
        bytes.splice(300..300, [0xFF, 0xFE]);
        let d = decode(Path::new("broken.txt"), &bytes).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        let replaced = d.text.matches('\u{fffd}').count();
        assert!((2..=6).contains(&replaced), "{replaced}");
        assert!(d.text.contains("高新技术产业开发区高质量发展"));
    }

    #[test]
    fn empty_is_empty_text() {
        assert_eq!(decode(Path::new("e.txt"), b"").unwrap().text, "");
        assert_eq!(decode_owned(Path::new("e.txt"), vec![]).unwrap().text, "");
    }

    #[test]
    fn owned_bytes_decode_the_same() {
        let mut inputs: Vec<Vec<u8>> = vec![
            SAMPLE.as_bytes().to_vec(),
            [&[0xEF, 0xBB, 0xBF][..], SAMPLE.as_bytes()].concat(),
            GB18030.encode(SAMPLE).0.into_owned(),
            SAMPLE
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes())
                .collect(),
            b"a\0b".to_vec(),
            "x\u{1}\u{85}y".repeat(3).into_bytes(),
            "正文\u{1}".repeat(40).into_bytes(),
            "正文\u{9f}\u{a0}".repeat(40).into_bytes(),
            (0..2048u32).map(|i| (i * 7919 % 251) as u8).collect(),
        ];
        let mut broken = SAMPLE.repeat(20).into_bytes();
        broken.splice(300..300, [0xFF, 0xFE]);
        inputs.push(broken);
        for bytes in inputs {
            let path = Path::new("f.txt");
            let a = decode(path, &bytes).map_err(|e| e.to_string());
            let b = decode_owned(path, bytes.clone()).map_err(|e| e.to_string());
            assert_eq!(a, b, "{bytes:?}");
        }
    }

    #[test]
    fn control_ratio_counts_chars() {
        let reference = |text: &str| {
            let mut total = 0usize;
            let mut bad = 0usize;
            for c in text.chars().take(200_000) {
                total += 1;
                if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}') {
                    bad += 1;
                }
            }
            if total == 0 {
                0.0
            } else {
                bad as f64 / total as f64
            }
        };
        let mut buf = [0u8; 4];
        for c in '\u{0}'..='\u{800}' {
            let s = c.encode_utf8(&mut buf);
            assert_eq!(control_ratio(s), reference(s), "{c:?}");
        }
        let long = "中\u{1}a\u{80}".repeat(60_000);
        assert_eq!(control_ratio(&long), reference(&long));
        assert_eq!(control_ratio(&long[3..]), reference(&long[3..]));
        let piece = "中\u{1}\t\u{7f}a\u{80}\u{9f}\u{a0}·\u{c}";
        for n in 0..30 {
            let s = piece.repeat(n);
            for (cut, _) in s.char_indices() {
                assert_eq!(
                    control_ratio(&s[cut..]),
                    reference(&s[cut..]),
                    "{:?}",
                    &s[cut..]
                );
            }
        }
        assert_eq!(control_ratio(""), 0.0);
    }
}
