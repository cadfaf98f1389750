//! A URL's path and query parameters.

/// The path (percent-decoded) and the query parameters in order.
pub struct Params {
    pub path: String,
    pairs: Vec<(String, String)>,
}

impl Params {
    pub fn parse(url: &str) -> Params {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let path = percent_encoding::percent_decode_str(path)
            .decode_utf8_lossy()
            .into_owned();
        let pairs = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Params { path, pairs }
    }

    /// The first non-empty value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }

    /// Every non-empty value of `key`.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }

    /// The query string again, with `key` set to `value` (or removed when
    /// None) and the others kept: links that narrow or page a view.
    pub fn with(&self, key: &str, value: Option<&str>) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.pairs {
            if k != key && k != "token" && !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        if let Some(v) = value {
            s.append_pair(key, v);
        }
        s.finish()
    }

    /// The query string with `key=value` added to what is there.
    pub fn adding(&self, key: &str, value: &str) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.pairs {
            if k != "page" && k != "token" && !v.is_empty() && !(k == key && v == value) {
                s.append_pair(k, v);
            }
        }
        s.append_pair(key, value);
        s.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::Params;

    #[test]
    fn chinese_and_repeated_parameters() {
        let p = Params::parse("/search?q=%E4%BA%BA%E6%89%8D+%E5%85%AC%E5%AF%93&j=a&j=b&t=");
        assert_eq!(p.path, "/search");
        assert_eq!(p.get("q"), Some("人才 公寓"));
        assert_eq!(p.all("j"), vec!["a", "b"]);
        assert_eq!(p.get("t"), None);
        assert_eq!(
            p.with("page", Some("2")),
            "q=%E4%BA%BA%E6%89%8D+%E5%85%AC%E5%AF%93&j=a&j=b&page=2"
        );
    }
}
