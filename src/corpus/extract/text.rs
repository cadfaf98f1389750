//! Plain text and Markdown: decoded by `load` (UTF-8 with or without BOM,
//! UTF-16, GB18030/GBK, Big5 and other legacy encodings). Markdown is kept
//! as written: the structure parser reads its `#` headings and 第X条 lines.

use std::path::Path;

use crate::corpus::load;
use crate::error::Result;

/// The text, and whether it is the file's bytes unchanged.
pub fn extract(path: &Path, bytes: &[u8]) -> Result<(String, bool)> {
    let decoded = load::decode(path, bytes)?;
    let verbatim = decoded.text.as_bytes() == bytes;
    Ok((decoded.text, verbatim))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_is_decoded_and_not_verbatim() {
        let s = "第一条 为了规范管理，制定本办法。\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(s);
        let (t, verbatim) = extract(Path::new("a.txt"), &gbk).unwrap();
        assert_eq!(t, s);
        assert!(!verbatim);
        let (t, verbatim) = extract(Path::new("a.txt"), s.as_bytes()).unwrap();
        assert_eq!(t, s);
        assert!(verbatim);
    }
}
