//! Numbers as the labs show them: digits grouped for reading, and repeated timings as a median
//! with their spread (never the best run alone).

pub use site_content::fill;

/// Groups digits in threes with thin spaces, for figures that are read, not copied.
pub fn grouped(n: impl ToString) -> String {
    let s = n.to_string();
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let (sign, int) = int
        .strip_prefix('-')
        .map_or(("", int), |digits| ("-", digits));
    let mut out = String::with_capacity(int.len() + int.len() / 3 + 4);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push('\u{2009}');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// The median of repeated measurements with the smallest and largest of them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// `None` for no samples. An even count takes the mean of the two middle samples.
    pub fn of(samples: &[f64]) -> Option<Spread> {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let (first, last) = (*sorted.first()?, *sorted.last()?);
        let mid = sorted.len() / 2;
        let median = if sorted.len().is_multiple_of(2) {
            (sorted[mid - 1] + sorted[mid]) / 2.0
        } else {
            sorted[mid]
        };
        Some(Spread {
            median,
            min: first,
            max: last,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(1234567u64), "1\u{2009}234\u{2009}567");
        assert_eq!(grouped(12u64), "12");
        assert_eq!(grouped("1234.5"), "1\u{2009}234.5");
        assert_eq!(grouped(-1234i64), "-1\u{2009}234");
        assert_eq!(grouped(0u8), "0");
    }

    #[test]
    fn the_median_comes_with_its_spread() {
        assert_eq!(Spread::of(&[]), None);
        let s = Spread::of(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
        assert_eq!(Spread::of(&[4.0, 1.0, 2.0, 3.0]).unwrap().median, 2.5);
    }

    #[test]
    fn templates_take_their_values() {
        assert_eq!(fill("{a} of {b}", &[("a", "1"), ("b", "2")]), "1 of 2");
        assert_eq!(fill("{a}", &[]), "{a}");
    }
}
