//! Topics over time: each document's date (ISO dates, `YYYY-MM` or years) and topic -> each
//! topic's share of the documents of each period, the period (year, quarter or month) chosen from
//! the span of the dates. A value that does not parse is counted in a warning, never an error.

use serde::Serialize;

/// A span of at least this many months is shown by year; at least [`QUARTERS_FROM`], by
/// quarter; shorter, by month. About 8 to 40 points a line either way.
const YEARS_FROM: u32 = 8 * 12;
const QUARTERS_FROM: u32 = 24;

/// How long a period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Period {
    Year,
    Quarter,
    Month,
}

/// One period's documents per topic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodCounts {
    /// `2021`, `2021-Q3` or `2021-07`.
    pub period: String,
    pub documents: usize,
    /// Documents of each topic in the period.
    pub topics: Vec<usize>,
}

/// The trends of a fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trends {
    pub period: Period,
    /// Every period from the first to the last, empty ones included.
    pub periods: Vec<PeriodCounts>,
    /// Dates that did not parse: how many, and the first one's row (1-based) and value.
    pub unparsed: usize,
    pub first_unparsed: Option<(usize, String)>,
    /// Documents with a date but no topic (no terms).
    pub without_topic: usize,
}

/// A date as months since year 0 (`year * 12 + month - 1`): a year (`2021`), a month
/// (`2021-07`), a calendar date (`2021-07-30`, checked: `2021-02-30` is not one) or a date and
/// time (`2021-07-30T12:00:00Z`, `2021-07-30 12:00`). Anything else, "2021 was a year" included,
/// is not a date.
fn parse(value: &str) -> Option<u32> {
    use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime};
    let value = value.trim();
    let bytes = value.as_bytes();
    // chrono's `%Y` takes signs and any number of digits; a date here starts with four.
    if bytes.len() < 4 || !bytes[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let date = match bytes.len() {
        4 => NaiveDate::from_ymd_opt(value.parse().ok()?, 1, 1),
        7 => NaiveDate::parse_from_str(&format!("{value}-01"), "%Y-%m-%d").ok(),
        10 => NaiveDate::parse_from_str(value, "%Y-%m-%d").ok(),
        _ => DateTime::parse_from_rfc3339(value)
            .map(|d| d.date_naive())
            .or_else(|_| {
                [
                    "%Y-%m-%dT%H:%M:%S%.f",
                    "%Y-%m-%d %H:%M:%S%.f",
                    "%Y-%m-%dT%H:%M",
                    "%Y-%m-%d %H:%M",
                ]
                .iter()
                .find_map(|format| NaiveDateTime::parse_from_str(value, format).ok())
                .map(|d| d.date())
                .ok_or(())
            })
            .ok(),
    }?;
    let year = u32::try_from(date.year())
        .ok()
        .filter(|y| (1..=9999).contains(y))?;
    Some(year * 12 + date.month0())
}

impl Trends {
    /// Counts each topic per period. `dates` and `topics` hold one entry per input document
    /// (`None`: no topic).
    pub fn build(dates: &[String], topics: &[Option<usize>], k: usize) -> Option<Trends> {
        let mut months: Vec<Option<u32>> = Vec::with_capacity(dates.len());
        let (mut unparsed, mut first_unparsed) = (0, None);
        for (row, value) in dates.iter().enumerate() {
            let month = parse(value);
            if month.is_none() {
                unparsed += 1;
                first_unparsed.get_or_insert((row + 1, value.clone()));
            }
            months.push(month);
        }
        let first = months.iter().flatten().copied().min()?;
        let last = months.iter().flatten().copied().max()?;
        let span = last - first + 1;
        let period = if span >= YEARS_FROM {
            Period::Year
        } else if span >= QUARTERS_FROM {
            Period::Quarter
        } else {
            Period::Month
        };
        let bucket = |month: u32| match period {
            Period::Year => month / 12,
            Period::Quarter => month / 3,
            Period::Month => month,
        };
        let (low, high) = (bucket(first), bucket(last));
        let mut periods: Vec<PeriodCounts> = (low..=high)
            .map(|b| PeriodCounts {
                period: match period {
                    Period::Year => format!("{b}"),
                    Period::Quarter => format!("{}-Q{}", b / 4, b % 4 + 1),
                    Period::Month => format!("{}-{:02}", b / 12, b % 12 + 1),
                },
                documents: 0,
                topics: vec![0; k],
            })
            .collect();
        let mut without_topic = 0;
        for (month, topic) in months.iter().zip(topics) {
            let Some(month) = month else { continue };
            match topic {
                Some(topic) if *topic < k => {
                    let counts = &mut periods[(bucket(*month) - low) as usize];
                    counts.documents += 1;
                    counts.topics[*topic] += 1;
                }
                _ => without_topic += 1,
            }
        }
        Some(Trends {
            period,
            periods,
            unparsed,
            first_unparsed,
            without_topic,
        })
    }

    /// A topic's share of a period's documents (0 for an empty period).
    pub fn share(&self, period: usize, topic: usize) -> f64 {
        let counts = &self.periods[period];
        if counts.documents == 0 {
            0.0
        } else {
            counts.topics[topic] as f64 / counts.documents as f64
        }
    }

    pub fn period_name(&self) -> &'static str {
        match self.period {
            Period::Year => "year",
            Period::Quarter => "quarter",
            Period::Month => "month",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_years_and_months_parse_and_junk_does_not() {
        assert_eq!(parse("2021"), Some(2021 * 12));
        assert_eq!(parse("2021-07"), Some(2021 * 12 + 6));
        assert_eq!(parse("2021-07-30"), Some(2021 * 12 + 6));
        assert_eq!(parse("2021-07-30T12:00:00Z"), Some(2021 * 12 + 6));
        assert_eq!(parse("2021-07-30T12:00:00.5+02:00"), Some(2021 * 12 + 6));
        assert_eq!(parse("2021-07-30 12:00"), Some(2021 * 12 + 6));
        assert_eq!(parse("2024-02-29"), Some(2024 * 12 + 1));
        for junk in [
            "",
            "July",
            "2021-13",
            "21",
            "2021-07-40",
            "2021/07",
            "2021-07-01-02",
            "2021-02-30",
            "2021 was a year",
            "2021-7",
            "+2021",
            "0000",
            "2021-07-30Tnoon",
        ] {
            assert_eq!(parse(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn the_period_follows_the_span_and_empty_periods_are_kept() {
        let dates: Vec<String> = ["2020-01", "2020-03", "bad", "2020-02-15"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let topics = [Some(0), Some(1), Some(1), None];
        let trends = Trends::build(&dates, &topics, 2).expect("trends");
        assert_eq!(trends.period, Period::Month);
        let names: Vec<&str> = trends.periods.iter().map(|p| p.period.as_str()).collect();
        assert_eq!(names, ["2020-01", "2020-02", "2020-03"]);
        assert_eq!(trends.periods[1].documents, 0);
        assert_eq!(trends.unparsed, 1);
        assert_eq!(trends.first_unparsed, Some((3, "bad".to_string())));
        assert_eq!(trends.without_topic, 1);
        assert_eq!(trends.share(2, 1), 1.0);

        let years: Vec<String> = ["2001", "2015-06"].iter().map(|s| s.to_string()).collect();
        let trends = Trends::build(&years, &[Some(0), Some(0)], 1).expect("trends");
        assert_eq!(trends.period, Period::Year);
        assert_eq!(trends.periods.len(), 15);
        let quarters: Vec<String> = ["2019-01", "2021-06"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let trends = Trends::build(&quarters, &[Some(0), Some(0)], 1).expect("trends");
        assert_eq!(trends.period, Period::Quarter);
        assert_eq!(trends.periods[0].period, "2019-Q1");
        assert_eq!(
            trends.periods.last().map(|p| p.period.as_str()),
            Some("2021-Q2")
        );
    }
}
