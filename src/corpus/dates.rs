//! Calendar dates as the catalog writes them (YYYY, YYYY-MM, YYYY-MM-DD):
//! the one place that knows how many days a month has.

/// (year, month, day); day 31 stands for the end of any month.
pub type Day = (u32, u32, u32);

/// Days in `month` of `year` (Gregorian), 0 for a month that does not exist.
pub fn days_in_month(year: u32, month: u32) -> u32 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => 0,
    }
}

/// The first and last day a date of YYYY, YYYY-MM or YYYY-MM-DD covers;
/// None unless it is a real date.
pub fn span(s: &str) -> Option<(Day, Day)> {
    let mut parts = s.trim().split('-');
    let number = |p: &str, digits: std::ops::RangeInclusive<usize>| {
        (digits.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let year = number(parts.next()?, 4..=4)?;
    let Some(m) = parts.next() else {
        return Some(((year, 1, 1), (year, 12, 31)));
    };
    let month = number(m, 1..=2).filter(|m| (1..=12).contains(m))?;
    let Some(d) = parts.next() else {
        return Some(((year, month, 1), (year, month, 31)));
    };
    let day = number(d, 1..=2).filter(|d| (1..=days_in_month(year, month)).contains(d))?;
    if parts.next().is_some() {
        return None;
    }
    Some(((year, month, day), (year, month, day)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_spans() {
        assert_eq!(span("2021"), Some(((2021, 1, 1), (2021, 12, 31))));
        assert_eq!(span("2021-09"), Some(((2021, 9, 1), (2021, 9, 31))));
        assert_eq!(span("2021-9-5"), Some(((2021, 9, 5), (2021, 9, 5))));
        assert_eq!(span("2024-02-29").map(|s| s.0), Some((2024, 2, 29)));
        for bad in [
            "2021-13-01",
            "2021-00",
            "2021-02-29",
            "2021-04-31",
            "21",
            "2021-",
            "2021-09-15-1",
            "abcd",
            "",
            "2021/09",
        ] {
            assert_eq!(span(bad), None, "{bad}");
        }
    }

    #[test]
    fn months_have_their_days() {
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2023, 4), 30);
        assert_eq!(days_in_month(2023, 12), 31);
        assert_eq!(days_in_month(2023, 13), 0);
    }
}
