//! Credits and money are integers. Prices are micro-dollars (1 USD = 1,000,000), so no
//! rounding drift can creep into a ledger.

use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A whole number of credits. Charges are positive; the ledger stores signed deltas.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Credits(pub i64);

impl Credits {
    pub const ZERO: Credits = Credits(0);
    pub fn checked_add(self, other: Credits) -> Option<Credits> {
        self.0.checked_add(other.0).map(Credits)
    }
    pub fn saturating_mul(self, n: i64) -> Credits {
        Credits(self.0.saturating_mul(n))
    }
}

impl std::iter::Sum for Credits {
    fn sum<I: Iterator<Item = Credits>>(iter: I) -> Credits {
        Credits(iter.map(|c| c.0).sum())
    }
}

impl fmt::Display for Credits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// US dollars in millionths.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct UsdMicros(pub i64);

impl UsdMicros {
    /// Parses a money amount as keyword tools export it: `1.25`, `$1.25`, `0,85`, `  2 `.
    /// No floats are involved; more than six decimals is an error rather than a silent round.
    pub fn parse_decimal(input: &str) -> Result<UsdMicros, DomainError> {
        let bad = || DomainError::InvalidNumber {
            field: "cpc",
            value: input.to_string(),
        };
        let s = input.trim().trim_start_matches('$').trim();
        let s = s.replace(',', ".");
        if s.is_empty() || s.starts_with('-') {
            return Err(bad());
        }
        let (whole, frac) = match s.split_once('.') {
            Some((w, f)) => (w, f),
            None => (s.as_str(), ""),
        };
        if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        if frac.len() > 6 || (whole.is_empty() && frac.is_empty()) {
            return Err(bad());
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| bad())?
        };
        let frac_micros: i64 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<6}").parse().map_err(|_| bad())?
        };
        whole
            .checked_mul(1_000_000)
            .and_then(|w| w.checked_add(frac_micros))
            .map(UsdMicros)
            .ok_or_else(bad)
    }
}

impl UsdMicros {
    /// Dollars for people, rounded: cents from a dollar up (`$12.34`), four decimals below
    /// (`$0.0042`). `Display` keeps every micro-dollar, for ledgers.
    pub fn rounded(self) -> String {
        let m = self.0.max(0);
        // Rounded first, then split, so $1.999 is $2.00 and $0.99996 is $1.00.
        let ten_thousandths = (m + 50) / 100;
        if ten_thousandths >= 10_000 {
            let cents = (m + 5_000) / 10_000;
            format!("${}.{:02}", cents / 100, cents % 100)
        } else {
            format!("$0.{ten_thousandths:04}")
        }
    }
}

impl fmt::Display for UsdMicros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}${}.{:06}", abs / 1_000_000, abs % 1_000_000)
    }
}

/// Credits for a token-priced call: `credits_per_1k_tokens` per started thousand tokens,
/// rounded up so a call is never free by rounding.
pub fn credits_for_tokens(tokens: i64, credits_per_1k_tokens: i64) -> Credits {
    if tokens <= 0 || credits_per_1k_tokens <= 0 {
        return Credits::ZERO;
    }
    Credits(((tokens + 999) / 1000).saturating_mul(credits_per_1k_tokens))
}

/// USD cost of tokens at a price per million tokens (micro-dollars), rounded up.
pub fn usd_for_tokens(tokens: i64, usd_micros_per_1m: i64) -> UsdMicros {
    if tokens <= 0 {
        return UsdMicros(0);
    }
    let product = tokens as i128 * usd_micros_per_1m as i128;
    UsdMicros(((product + 999_999) / 1_000_000) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_export_money_formats() {
        assert_eq!(
            UsdMicros::parse_decimal("1.25").unwrap(),
            UsdMicros(1_250_000)
        );
        assert_eq!(
            UsdMicros::parse_decimal("$0.5").unwrap(),
            UsdMicros(500_000)
        );
        assert_eq!(
            UsdMicros::parse_decimal("0,85").unwrap(),
            UsdMicros(850_000)
        );
        assert_eq!(
            UsdMicros::parse_decimal(" 3 ").unwrap(),
            UsdMicros(3_000_000)
        );
        assert_eq!(UsdMicros::parse_decimal(".07").unwrap(), UsdMicros(70_000));
        for bad in ["", "abc", "-1", "1.2.3", "1.1234567", "$"] {
            assert!(UsdMicros::parse_decimal(bad).is_err(), "{bad} should fail");
        }
        assert_eq!(UsdMicros(1_250_000).to_string(), "$1.250000");
    }

    #[test]
    fn dollars_read_as_people_write_them() {
        assert_eq!(UsdMicros(12_345_678).rounded(), "$12.35");
        assert_eq!(UsdMicros(1_000_000).rounded(), "$1.00");
        assert_eq!(UsdMicros(4_200).rounded(), "$0.0042");
        assert_eq!(UsdMicros(0).rounded(), "$0.0000");
        assert_eq!(UsdMicros(1_999_000).rounded(), "$2.00");
        assert_eq!(UsdMicros(999_960).rounded(), "$1.00");
        assert_eq!(UsdMicros(999_940).rounded(), "$0.9999");
    }

    #[test]
    fn token_charges_round_up() {
        assert_eq!(credits_for_tokens(1, 2), Credits(2));
        assert_eq!(credits_for_tokens(1000, 2), Credits(2));
        assert_eq!(credits_for_tokens(1001, 2), Credits(4));
        assert_eq!(credits_for_tokens(0, 2), Credits(0));
        assert_eq!(usd_for_tokens(1_000_000, 2_500_000), UsdMicros(2_500_000));
        assert_eq!(usd_for_tokens(1, 150_000), UsdMicros(1));
    }
}
