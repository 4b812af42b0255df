//! Reading a lab's address: its `key=value` pairs and bounded numbers. Pure, so a lab's worker
//! (built without the UI) reads addresses with the same code as its page.

use super::format::fill;

/// The `key=value` pairs of a query (a leading `?` is skipped; a bare key has an empty value).
pub fn pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
}

/// `text` as a number in `min..=max`; otherwise `out_of_range` (a template naming `{key}`,
/// `{min}` and `{max}`) is added to `problems` and the answer is `None`.
pub fn number(
    out_of_range: &str,
    problems: &mut Vec<String>,
    key: &str,
    text: &str,
    (min, max): (u64, u64),
) -> Option<u64> {
    match text.parse::<u64>() {
        Ok(v) if (min..=max).contains(&v) => Some(v),
        _ => {
            problems.push(fill(
                out_of_range,
                &[
                    ("key", key),
                    ("min", &min.to_string()),
                    ("max", &max.to_string()),
                ],
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_and_numbers_are_read_with_their_bounds() {
        let got: Vec<_> = pairs("?a=1&&b&c=x").collect();
        assert_eq!(got, vec![("a", "1"), ("b", ""), ("c", "x")]);
        let mut problems = Vec::new();
        let t = "{key} not in {min}..{max}";
        assert_eq!(number(t, &mut problems, "a", "7", (1, 9)), Some(7));
        assert_eq!(number(t, &mut problems, "a", "10", (1, 9)), None);
        assert_eq!(number(t, &mut problems, "a", "x", (1, 9)), None);
        assert_eq!(problems, vec!["a not in 1..9", "a not in 1..9"]);
    }
}
