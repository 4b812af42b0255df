//! Exact decimals as they travel on the wire: an unsigned integer mantissa and the number of
//! digits after the point, read from the value's text (a JSON number or a JSON string) and never
//! through `f64`. The scale is the text's own — `"0.10000000"` keeps its eight places — because
//! Kraken's checksum is computed over the digits as they appear on the wire, trailing zeros
//! included.

use std::fmt;

/// Most significant digits a value may have (leading zeros do not count): 18 always fit a u64.
pub const MAX_DIGITS: usize = 18;
/// Most digits after the point.
pub const MAX_SCALE: u8 = 18;
/// `10^i` for every scale: [`Decimal::key`] multiplies by `10^(MAX_SCALE - scale)`, which fits
/// a u64, so a key is one 64 × 64 → 128-bit product.
const POW10: [u64; MAX_SCALE as usize + 1] = {
    let mut t = [1u64; MAX_SCALE as usize + 1];
    let mut i = 1;
    while i < t.len() {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// `"00"` to `"99"`, for writing digits two at a time.
const DIGIT_PAIRS: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// A non-negative decimal: `mantissa × 10^-scale`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Decimal {
    mantissa: u64,
    scale: u8,
}

/// Why a value's text is not a decimal this engine takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecimalError {
    /// Nothing, or a point with no digit before or after it.
    Empty,
    /// A minus sign: prices and quantities are never negative.
    Negative,
    /// `e`/`E` notation: the text's digits would not be the value's digits.
    Exponent,
    /// A character that is not a digit or the one point.
    BadCharacter,
    /// More than [`MAX_DIGITS`] significant digits.
    TooManyDigits,
    /// More than [`MAX_SCALE`] digits after the point.
    TooManyDecimals,
}

impl fmt::Display for DecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DecimalError::Empty => "no digits",
            DecimalError::Negative => "negative value",
            DecimalError::Exponent => "exponent notation",
            DecimalError::BadCharacter => "not a decimal number",
            DecimalError::TooManyDigits => "more than 18 significant digits",
            DecimalError::TooManyDecimals => "more than 18 decimal places",
        })
    }
}

impl Decimal {
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };

    /// `mantissa × 10^-scale`; `None` beyond the bounds.
    pub fn new(mantissa: u64, scale: u8) -> Option<Decimal> {
        (scale <= MAX_SCALE && digit_count(mantissa) <= MAX_DIGITS)
            .then_some(Decimal { mantissa, scale })
    }

    /// `mantissa × 10^-scale` for a caller that has already kept to the bounds (a scanner that
    /// read at most [`MAX_DIGITS`] digits); checked in debug builds.
    pub(crate) fn from_parts(mantissa: u64, scale: u8) -> Decimal {
        debug_assert!(Decimal::new(mantissa, scale).is_some());
        Decimal { mantissa, scale }
    }

    /// Parses plain decimal text: digits, optionally one `.` followed by digits.
    pub fn parse(text: &str) -> Result<Decimal, DecimalError> {
        let bytes = text.as_bytes();
        let (mut mantissa, mut digits, mut scale) = (0u64, 0usize, 0usize);
        let (mut seen_point, mut before, mut after) = (false, 0usize, 0usize);
        for &b in bytes {
            match b {
                b'0'..=b'9' => {
                    if seen_point {
                        after += 1;
                        scale += 1;
                    } else {
                        before += 1;
                    }
                    if digits > 0 || b != b'0' {
                        digits += 1;
                        if digits > MAX_DIGITS {
                            return Err(DecimalError::TooManyDigits);
                        }
                    }
                    mantissa = mantissa * 10 + u64::from(b - b'0');
                }
                b'.' if !seen_point => seen_point = true,
                b'-' => return Err(DecimalError::Negative),
                b'e' | b'E' => return Err(DecimalError::Exponent),
                _ => return Err(DecimalError::BadCharacter),
            }
        }
        if before == 0 || (seen_point && after == 0) {
            return Err(DecimalError::Empty);
        }
        let scale = u8::try_from(scale)
            .ok()
            .filter(|&s| s <= MAX_SCALE)
            .ok_or(DecimalError::TooManyDecimals)?;
        Ok(Decimal { mantissa, scale })
    }

    pub fn mantissa(self) -> u64 {
        self.mantissa
    }

    pub fn scale(self) -> u8 {
        self.scale
    }

    pub fn is_zero(self) -> bool {
        self.mantissa == 0
    }

    /// The same value written with at least `scale` decimal places (`0.566` at 4 → `0.5660`):
    /// what a venue's checksum sees when it prints values at the pair's precision but the wire
    /// carried them as JSON numbers, which drop trailing zeros.
    pub fn with_min_scale(self, scale: u8) -> Result<Decimal, DecimalError> {
        if scale > MAX_SCALE {
            return Err(DecimalError::TooManyDecimals);
        }
        if scale <= self.scale {
            return Ok(self);
        }
        let mantissa = 10u64
            .checked_pow(u32::from(scale - self.scale))
            .and_then(|f| self.mantissa.checked_mul(f))
            .filter(|&m| digit_count(m) <= MAX_DIGITS)
            .ok_or(DecimalError::TooManyDigits)?;
        Ok(Decimal { mantissa, scale })
    }

    /// The value in units of 10^-18, for ordering and equality by value (`0.5` and `0.50` have
    /// one key). Exact: a mantissa below 10^18 times at most 10^18 fits a u128.
    pub fn key(self) -> u128 {
        debug_assert!(self.scale <= MAX_SCALE);
        let unit = POW10[usize::from(MAX_SCALE - self.scale)];
        u128::from(self.mantissa) * u128::from(unit)
    }

    /// Writes the digits Kraken's checksum takes from this value's text into `out` at `at`: the
    /// point removed, then the leading zeros — which is the mantissa in decimal (nothing at all
    /// for zero). Returns the new end; leaves `out` unchanged (and returns `at`) if the digits do
    /// not fit.
    pub fn write_checksum_digits(self, out: &mut [u8], at: usize) -> usize {
        let n = digit_count(self.mantissa);
        let Some(dst) = out.get_mut(at..at + n) else {
            return at;
        };
        // Two digits per division, from the right; an odd count leaves one for the front.
        let mut m = self.mantissa;
        let mut pairs = dst.rchunks_exact_mut(2);
        for pair in &mut pairs {
            let i = 2 * (m % 100) as usize;
            pair.copy_from_slice(&DIGIT_PAIRS[i..i + 2]);
            m /= 100;
        }
        if let [first] = pairs.into_remainder() {
            *first = b'0' + m as u8;
        }
        at + n
    }
}

/// Decimal digits of `n` (none for zero, as the checksum takes it).
pub(crate) fn digit_count(n: u64) -> usize {
    n.checked_ilog10().map_or(0, |d| d as usize + 1)
}

/// The text it was read from, up to leading zeros (`0.050` stays `0.050`).
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = usize::from(self.scale);
        let digits = format!("{:0>width$}", self.mantissa, width = scale + 1);
        let (int, frac) = digits.split_at(digits.len() - scale);
        if scale == 0 {
            f.write_str(int)
        } else {
            write!(f, "{int}.{frac}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn the_text_keeps_its_scale_and_its_digits() {
        assert_eq!(d("0.10000000"), Decimal::new(10_000_000, 8).unwrap());
        assert_eq!(d("45285.2"), Decimal::new(452_852, 1).unwrap());
        assert_eq!(d("0.10000000").to_string(), "0.10000000");
        assert_eq!(d("45285.2").to_string(), "45285.2");
        assert_eq!(d("7").to_string(), "7");
        let digits = |text: &str| {
            let mut buf = [0u8; 20];
            let end = d(text).write_checksum_digits(&mut buf, 0);
            buf[..end].to_vec()
        };
        assert_eq!(digits("0.00100000"), b"100000");
        assert_eq!(digits("0.05005"), b"5005");
        assert_eq!(digits("0.0"), b"");
        assert_eq!(digits("1234567890.12345678"), b"123456789012345678");
        assert_eq!(digits("98765432101234567"), b"98765432101234567");
        assert_eq!(digits("7"), b"7");
        assert_eq!(digits("0.10"), b"10");
        for text in [
            "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678",
        ] {
            assert_eq!(digits(text), text.as_bytes());
        }
        let mut out = [b'x'; 12];
        let end = d("0.00100000").write_checksum_digits(&mut out, 2);
        assert_eq!((&out[..end], end), (&b"xx100000"[..], 8));
        assert_eq!(
            d("123").write_checksum_digits(&mut out, 11),
            11,
            "no room: unchanged"
        );
        assert_eq!(d("0.5").key(), d("0.50").key());
        assert_eq!(d("7").key(), 7 * 10u128.pow(18));
        assert_eq!(d("0.000000000000000007").key(), 7);
        assert_eq!(
            d("999999999999999999").key(),
            999_999_999_999_999_999 * 10u128.pow(18)
        );
        assert!(d("0.5666").key() > d("0.5665").key());
        assert_eq!(d("0.566").with_min_scale(4).unwrap().to_string(), "0.5660");
        assert_eq!(
            d("0.56661").with_min_scale(4).unwrap().to_string(),
            "0.56661"
        );
        assert_eq!(
            d("0.566").with_min_scale(4).unwrap().key(),
            d("0.566").key()
        );
        assert_eq!(
            d("999999999999999999").with_min_scale(1),
            Err(DecimalError::TooManyDigits)
        );
    }

    #[test]
    fn anything_else_is_a_typed_error() {
        for (text, err) in [
            ("", DecimalError::Empty),
            (".5", DecimalError::Empty),
            ("5.", DecimalError::Empty),
            ("-1", DecimalError::Negative),
            ("1e-5", DecimalError::Exponent),
            ("1.2.3", DecimalError::BadCharacter),
            ("1,5", DecimalError::BadCharacter),
            (" 1", DecimalError::BadCharacter),
            ("1234567890123456789", DecimalError::TooManyDigits),
            ("0.0000000000000000001", DecimalError::TooManyDecimals),
        ] {
            assert_eq!(Decimal::parse(text), Err(err), "{text:?}");
        }
        // Leading zeros are not significant digits.
        assert!(Decimal::parse("000000000000000000000000.5").is_ok());
        assert!(Decimal::parse("999999999999999999").is_ok());
    }
}
