//! The official working-day calendar (CAL-1).
//!
//! Working days follow the State Council's yearly holiday notice: listed days off are off,
//! listed weekend days are make-up working days (调休), every other Saturday and Sunday is off
//! and every other weekday works.
//!
//! The years after the last imported notice are *provisional* (CAL-1, CAL-2): weekends plus the
//! statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision) — New Year's Day, the Spring
//! Festival from its eve (4 days), Qingming on its solar-term day, Labour Day (2), Dragon Boat,
//! Mid-Autumn, National Day (3) — with the lunar dates computed, and no make-up days or days in
//! lieu (the notice decides those). So a deadline is never refused for want of a notice; it is
//! marked provisional until the notice is imported. Only before 2016 or past the provisional
//! years is a date an error, never a guess.
//!
//! Invariant: every query is O(1). [`Calendar::new`] precomputes, for each covered day, how many
//! working days came before it and, for each working day, its date; `due` and `between` are two
//! array look-ups.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One year's notice: which days are off and which weekend days are worked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearNotice {
    pub year: i32,
    #[serde(default)]
    pub notices: Vec<String>,
    #[serde(default, rename = "holiday")]
    pub holidays: Vec<Holiday>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub name: String,
    #[serde(default)]
    pub off: Vec<NaiveDate>,
    #[serde(default)]
    pub work: Vec<NaiveDate>,
}

/// A local change on top of the national calendar (a local holiday, a closure day, an extra
/// working day), per center or region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    pub date: NaiveDate,
    pub working: bool,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "日历未覆盖 {0} 年：请由管理员导入国务院办公厅 {0} 年部分节假日安排通知（noveto calendar import）后再计算期限"
    )]
    NotCovered(i32),
    #[error("日历数据有误：{0}")]
    Invalid(String),
}

impl CalendarError {
    pub fn code(&self) -> &'static str {
        match self {
            CalendarError::NotCovered(_) => "calendar_not_covered",
            CalendarError::Invalid(_) => "calendar_invalid",
        }
    }
}

/// How many years after the last imported notice are computed provisionally.
pub const PROVISIONAL_YEARS: i32 = 3;

/// What a provisional deadline says on screen and in the API.
pub const PROVISIONAL_NOTE: &str = "暂按法定节假日计算，待国务院通知发布后自动更正";

/// The solar-term day of Qingming (清明, the sun at 15°), 2000–2099: the well-known day formula
/// `[Y·0.2422 + 4.81] − [Y/4]` with Y the last two digits of the year.
fn qingming(year: i32) -> Option<NaiveDate> {
    if !(2000..=2099).contains(&year) {
        return None;
    }
    let y = (year % 100) as f64;
    let day = (y * 0.2422 + 4.81).floor() as i32 - (year % 100) / 4;
    NaiveDate::from_ymd_opt(year, 4, day as u32)
}

/// The Gregorian date of a day of the Chinese lunar calendar (not a leap month).
fn lunar(year: i32, month: u8, day: u8) -> Option<NaiveDate> {
    let s = lunar_lite::lunar_to_solar(lunar_lite::LunarDate { year, month, day, is_leap_month: false }).ok()?;
    NaiveDate::from_ymd_opt(s.year, s.month as u32, s.day as u32)
}

/// A year's statutory holidays as a provisional notice: no make-up days, no days in lieu.
pub fn provisional_year(year: i32) -> Option<YearNotice> {
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    let new_year = lunar(year, 1, 1)?;
    let eve = new_year.pred_opt()?;
    let days = |start: NaiveDate, n: u64| (0..n).map(|i| start + chrono::Days::new(i)).collect::<Vec<_>>();
    let h = |name: &str, off: Vec<NaiveDate>| Holiday { name: name.into(), off, work: vec![] };
    let mut holidays = vec![
        h("元旦", vec![ymd(1, 1)?]),
        h("春节", days(eve, 4)),
        h("清明节", vec![qingming(year)?]),
        h("劳动节", days(ymd(5, 1)?, 2)),
        h("端午节", vec![lunar(year, 5, 5)?]),
        h("中秋节", vec![lunar(year, 8, 15)?]),
        h("国庆节", days(ymd(10, 1)?, 3)),
    ];
    make_up_days_in_lieu(&mut holidays);
    Some(YearNotice {
        year,
        notices: vec![format!("{year} 年：{PROVISIONAL_NOTE}（《全国年节及纪念日放假办法》2024 年修订）")],
        holidays,
    })
}

fn weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// 《全国年节及纪念日放假办法》第六条: a holiday for all citizens that falls on a Saturday or a
/// Sunday is made up on a working day (补假) — here the first weekdays after the holiday that are
/// not themselves holidays, one for each of its days on a weekend.
fn make_up_days_in_lieu(holidays: &mut [Holiday]) {
    for i in 0..holidays.len() {
        let on_weekend = holidays[i].off.iter().filter(|d| weekend(**d)).count();
        let Some(mut d) = holidays[i].off.iter().max().copied() else { continue };
        let mut added = 0;
        while added < on_weekend {
            d = match d.succ_opt() {
                Some(x) => x,
                None => break,
            };
            if !weekend(d) && !holidays.iter().any(|h| h.off.contains(&d)) {
                holidays[i].off.push(d);
                added += 1;
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Calendar {
    first: NaiveDate,
    /// `working[i]` — is day `first + i` a working day.
    working: Vec<bool>,
    /// `before[i]` — working days strictly before day `first + i`; one extra entry at the end.
    before: Vec<u32>,
    /// `nth[k]` — day index of the k-th (0-based) working day.
    nth: Vec<u32>,
    years: BTreeMap<i32, YearNotice>,
    /// The provisional years after the last notice (statutory holidays only).
    provisional: BTreeMap<i32, YearNotice>,
    overrides: Vec<Override>,
}

/// The project's own calendar data, compiled in (`calendar/cn.toml`).
const BUILTIN: &str = include_str!("../../../calendar/cn.toml");

#[derive(Deserialize)]
struct CalendarFile {
    #[serde(rename = "year")]
    years: Vec<YearNotice>,
}

/// Parses the project's TOML calendar format (one or more `[[year]]`).
pub fn parse_toml(text: &str) -> Result<Vec<YearNotice>, CalendarError> {
    let f: CalendarFile = toml::from_str(text).map_err(|e| CalendarError::Invalid(e.to_string()))?;
    Ok(f.years)
}

/// Parses one year in the JSON format of the State Council notice data sets
/// (`{year, papers, days: [{name, date, isOffDay}]}`).
pub fn parse_notice_json(text: &str) -> Result<YearNotice, CalendarError> {
    #[derive(Deserialize)]
    struct Day {
        name: String,
        date: NaiveDate,
        #[serde(rename = "isOffDay")]
        is_off_day: bool,
    }
    #[derive(Deserialize)]
    struct File {
        year: i32,
        #[serde(default)]
        papers: Vec<String>,
        days: Vec<Day>,
    }
    let f: File = serde_json::from_str(text).map_err(|e| CalendarError::Invalid(e.to_string()))?;
    let mut holidays: Vec<Holiday> = Vec::new();
    for d in f.days {
        let idx = match holidays.iter().position(|h| h.name == d.name) {
            Some(i) => i,
            None => {
                holidays.push(Holiday { name: d.name.clone(), off: vec![], work: vec![] });
                holidays.len() - 1
            }
        };
        if d.is_off_day {
            holidays[idx].off.push(d.date);
        } else {
            holidays[idx].work.push(d.date);
        }
    }
    Ok(YearNotice { year: f.year, notices: f.papers, holidays })
}

/// Renders years in the project's TOML format (what `calendar import` stores).
pub fn to_toml(years: &[YearNotice]) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        year: &'a [YearNotice],
    }
    toml::to_string(&Out { year: years }).unwrap_or_default()
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Calendar {
    /// The national calendar shipped with noveto.
    pub fn builtin() -> Calendar {
        let years = parse_toml(BUILTIN).expect("calendar/cn.toml is valid");
        Calendar::new(years, vec![]).expect("calendar/cn.toml is consistent")
    }

    /// Builds the index. Years must be contiguous; every listed date must lie in its year.
    pub fn new(years: Vec<YearNotice>, overrides: Vec<Override>) -> Result<Calendar, CalendarError> {
        let mut map = BTreeMap::new();
        for y in years {
            for h in &y.holidays {
                // A notice may reach into the neighbouring year (2019's New Year holiday
                // began on 2018-12-30); only its own year and the next/previous are allowed.
                if let Some(d) = h.off.iter().chain(&h.work).find(|d| (d.year() - y.year).abs() > 1) {
                    return Err(CalendarError::Invalid(format!("{} 年的通知中出现了 {} 的日期", y.year, d)));
                }
            }
            map.insert(y.year, y);
        }
        let (Some(&lo), Some(&hi)) = (map.keys().next(), map.keys().next_back()) else {
            return Err(CalendarError::Invalid("没有任何年份".into()));
        };
        if (hi - lo + 1) as usize != map.len() {
            return Err(CalendarError::Invalid("年份不连续".into()));
        }
        let provisional: BTreeMap<i32, YearNotice> =
            (hi + 1..=hi + PROVISIONAL_YEARS).filter_map(|y| provisional_year(y).map(|n| (y, n))).collect();
        let last_year = provisional.keys().next_back().copied().unwrap_or(hi);
        let first = NaiveDate::from_ymd_opt(lo, 1, 1).expect("valid");
        let last = NaiveDate::from_ymd_opt(last_year, 12, 31).expect("valid");
        let n = (last - first).num_days() as usize + 1;
        let mut working: Vec<bool> = (0..n).map(|i| !is_weekend(first + chrono::Days::new(i as u64))).collect();
        for y in map.values().chain(provisional.values()) {
            for h in &y.holidays {
                let days = h.off.iter().map(|d| (d, false)).chain(h.work.iter().map(|d| (d, true)));
                for (d, w) in days {
                    if *d >= first && *d <= last {
                        working[(*d - first).num_days() as usize] = w;
                    }
                }
            }
        }
        for o in &overrides {
            if o.date >= first && o.date <= last {
                working[(o.date - first).num_days() as usize] = o.working;
            }
        }
        let mut before = Vec::with_capacity(n + 1);
        let mut nth = Vec::new();
        let mut count = 0u32;
        for (i, w) in working.iter().enumerate() {
            before.push(count);
            if *w {
                nth.push(i as u32);
                count += 1;
            }
        }
        before.push(count);
        Ok(Calendar { first, working, before, nth, years: map, provisional, overrides })
    }

    /// The same national data with local overrides on top.
    pub fn with_overrides(&self, overrides: Vec<Override>) -> Calendar {
        Calendar::new(self.years.values().cloned().collect(), overrides).expect("already validated")
    }

    /// Adds or replaces one year's notice.
    pub fn with_year(&self, year: YearNotice) -> Result<Calendar, CalendarError> {
        let mut years = self.years.clone();
        years.insert(year.year, year);
        Calendar::new(years.into_values().collect(), self.overrides.clone())
    }

    pub fn years(&self) -> impl Iterator<Item = &YearNotice> {
        self.years.values()
    }

    pub fn year(&self, y: i32) -> Option<&YearNotice> {
        self.years.get(&y)
    }

    /// A year as the calendar answers it: the imported notice, or — for the years right after
    /// the last notice — the provisional one (`true`), as `due` and `is_working_day` use it.
    pub fn year_as_answered(&self, y: i32) -> Option<(&YearNotice, bool)> {
        self.years.get(&y).map(|n| (n, false)).or_else(|| self.provisional.get(&y).map(|n| (n, true)))
    }

    pub fn overrides(&self) -> &[Override] {
        &self.overrides
    }

    pub fn covered(&self) -> (i32, i32) {
        (*self.years.keys().next().expect("non-empty"), *self.years.keys().next_back().expect("non-empty"))
    }

    /// Whether `d` lies in a year without an imported notice (computed provisionally).
    pub fn is_provisional(&self, d: NaiveDate) -> bool {
        d.year() > self.covered().1
    }

    /// The year whose State Council notice an administrator should import now, if any: the
    /// current year when it has none, and from 1 November the next year when it has none.
    pub fn notice_missing(&self, today: NaiveDate) -> Option<i32> {
        let hi = self.covered().1;
        if today.year() > hi {
            return Some(hi + 1);
        }
        (today.month() >= 11 && today.year() == hi).then_some(hi + 1)
    }

    /// The last year answered at all (the provisional years included).
    pub fn answers_until(&self) -> i32 {
        self.provisional.keys().next_back().copied().unwrap_or(self.covered().1)
    }

    fn index(&self, d: NaiveDate) -> Result<usize, CalendarError> {
        let i = (d - self.first).num_days();
        if i < 0 || i as usize >= self.working.len() {
            return Err(CalendarError::NotCovered(d.year()));
        }
        Ok(i as usize)
    }

    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.working[self.index(d)?])
    }

    /// The name of the holiday a day belongs to, or "调休上班" for a make-up day.
    pub fn label(&self, d: NaiveDate) -> Option<String> {
        if let Some(o) = self.overrides.iter().find(|o| o.date == d) {
            return Some(o.reason.clone());
        }
        let y = self.years.get(&d.year()).or_else(|| self.provisional.get(&d.year()))?;
        for h in &y.holidays {
            if h.off.contains(&d) {
                return Some(h.name.clone());
            }
            if h.work.contains(&d) {
                return Some(format!("{}调休上班", h.name));
            }
        }
        None
    }

    /// The N-th working day after `from`; `from` itself is not counted (民法典 第二百零一条).
    /// `n == 0` is the same day.
    pub fn due(&self, from: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let i = self.index(from)?;
        if n == 0 {
            return Ok(from);
        }
        let k = self.before[i + 1] as usize + n as usize - 1;
        match self.nth.get(k) {
            Some(&idx) => Ok(self.first + chrono::Days::new(idx as u64)),
            None => Err(CalendarError::NotCovered(self.answers_until() + 1)),
        }
    }

    /// Working days in `(a, b]`: how many working days pass from the end of `a` to the end of
    /// `b`. Negative when `b < a`.
    pub fn between(&self, a: NaiveDate, b: NaiveDate) -> Result<i64, CalendarError> {
        let ia = self.index(a)?;
        let ib = self.index(b)?;
        Ok(self.before[ib + 1] as i64 - self.before[ia + 1] as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    // CAL-1: table of known due days under the 2026 notice.
    #[test]
    fn cal_1_due_table() {
        let c = Calendar::builtin();
        let cases = [
            // National Day 2026: Sat 10-10 is a make-up working day.
            ("2026-09-30", 5, "2026-10-13"),
            ("2026-09-30", 1, "2026-10-08"),
            ("2026-09-30", 3, "2026-10-10"),
            // Spring Festival 2026: make-up Saturdays 02-14 and 02-28.
            ("2026-02-13", 1, "2026-02-14"),
            ("2026-02-14", 1, "2026-02-24"),
            ("2026-02-27", 1, "2026-02-28"),
            ("2026-02-12", 10, "2026-03-04"),
            // Start on a holiday: the holiday is not counted, the first working day after is day 1.
            ("2026-10-03", 1, "2026-10-08"),
            ("2026-05-01", 1, "2026-05-06"),
            // N = 0 is the same day, even on a holiday.
            ("2026-10-03", 0, "2026-10-03"),
            ("2026-11-20", 0, "2026-11-20"),
            // An ordinary week.
            ("2026-11-20", 1, "2026-11-23"),
            ("2026-11-23", 5, "2026-11-30"),
        ];
        for (from, n, want) in cases {
            assert_eq!(c.due(d(from), n).unwrap(), d(want), "{from} + {n}");
        }
        assert!(c.is_working_day(d("2026-10-10")).unwrap());
        assert!(c.is_working_day(d("2026-10-08")).unwrap());
        assert!(!c.is_working_day(d("2026-10-01")).unwrap());
    }

    // CAL-1: before 2016 or past the provisional years is an error, never a guess; the years
    // right after the last notice answer provisionally.
    #[test]
    fn cal_1_uncovered_year_is_an_error() {
        let c = Calendar::builtin();
        assert_eq!(c.due(d("2015-12-31"), 1), Err(CalendarError::NotCovered(2015)));
        let past = 2026 + PROVISIONAL_YEARS + 1;
        assert_eq!(c.is_working_day(d(&format!("{past}-03-01"))), Err(CalendarError::NotCovered(past)));
        assert!(c.due(d("2026-12-30"), 5).is_ok());
        assert!(!c.is_provisional(d("2026-12-31")));
        assert!(c.is_provisional(d("2027-01-04")));
    }

    // CAL-1, CAL-2: a year without a notice uses the statutory holidays, lunar dates computed,
    // no make-up days; checked against the notices of 2016–2026, where every computed festival
    // day is a day off of the notice's holiday of that name.
    #[test]
    fn cal_2_provisional_year_matches_the_notices_festival_days() {
        let c = Calendar::builtin();
        for y in 2016..=2026 {
            let notice = c.year(y).unwrap();
            let p = provisional_year(y).unwrap();
            for name in ["春节", "清明节", "端午节", "中秋节", "国庆节", "劳动节", "元旦"] {
                let computed = &p.holidays.iter().find(|h| h.name == name).unwrap().off;
                // The notice's name may join two holidays ("中秋节、国庆节").
                let official: Vec<NaiveDate> = notice
                    .holidays
                    .iter()
                    .filter(|h| h.name.contains(&name[..name.len() - 3]))
                    .flat_map(|h| h.off.clone())
                    .collect();
                // The festival day itself (Spring Festival: the first day of the lunar year).
                let day = if name == "春节" { computed[1] } else { computed[0] };
                assert!(official.contains(&day), "{y} {name}: {day} not in {official:?}");
            }
        }
        // 2027 from the rules alone: Spring Festival from its eve (02-05) for four days, Qingming
        // 04-05, Dragon Boat 06-09, Mid-Autumn 09-15; no make-up Saturdays.
        let c = Calendar::builtin();
        for off in [
            "2027-01-01",
            "2027-02-05",
            "2027-02-08",
            "2027-04-05",
            "2027-05-01",
            "2027-06-09",
            "2027-09-15",
            "2027-10-01",
        ] {
            let day = d(off);
            assert!(!c.is_working_day(day).unwrap() || day.weekday() == Weekday::Sat, "{off}");
        }
        assert!(!c.is_working_day(d("2027-02-05")).unwrap());
        assert!(!c.is_working_day(d("2027-02-08")).unwrap());
        // 第六条: the Spring Festival's Saturday and Sunday are made up on 02-09 and 02-10
        // (issue 25: the provisional calendar counted them as working days).
        assert!(!c.is_working_day(d("2027-02-09")).unwrap());
        assert!(!c.is_working_day(d("2027-02-10")).unwrap());
        assert!(c.is_working_day(d("2027-02-11")).unwrap());
        // Labour Day on Saturday and Sunday: Monday and Tuesday in lieu; National Day likewise.
        for off in ["2027-05-03", "2027-05-04", "2027-10-04", "2027-10-05"] {
            assert!(!c.is_working_day(d(off)).unwrap(), "{off}");
        }
        assert!(c.is_working_day(d("2027-05-05")).unwrap());
        assert!(c.is_working_day(d("2027-10-06")).unwrap());
        assert!(!c.is_working_day(d("2027-06-09")).unwrap());
        assert!(!c.is_working_day(d("2027-09-15")).unwrap());
        assert_eq!(c.label(d("2027-09-15")).as_deref(), Some("中秋节"));
    }

    // CAL-1: a 10-working-day deadline opened on 2026-12-20 before and after the 2027 notice
    // is imported (a test notice that adds a make-up Saturday and one more day off).
    #[test]
    fn cal_1_deadline_into_2027_before_and_after_the_notice() {
        let c = Calendar::builtin();
        let due = c.due(d("2026-12-20"), 10).unwrap();
        // 12-21..12-31 has 9 working days, 2027-01-01 is New Year's Day: the 10th is 01-04.
        assert_eq!(due, d("2027-01-04"));
        assert!(c.is_provisional(due));
        let notice = YearNotice {
            year: 2027,
            notices: vec!["测试通知".into()],
            holidays: vec![Holiday {
                name: "元旦".into(),
                off: vec![d("2027-01-01"), d("2027-01-04")],
                work: vec![d("2027-01-09")],
            }],
        };
        let c2 = c.with_year(notice).unwrap();
        assert_eq!(c2.due(d("2026-12-20"), 10).unwrap(), d("2027-01-05"));
        assert!(!c2.is_provisional(d("2027-01-05")));
        assert!(c2.is_working_day(d("2027-01-09")).unwrap());
        // 2028 is now the provisional year.
        assert!(c2.is_provisional(d("2028-01-03")));
        // The administrator is told from 1 November that next year's notice is missing.
        assert_eq!(c.notice_missing(d("2026-10-31")), None);
        assert_eq!(c.notice_missing(d("2026-11-01")), Some(2027));
        assert_eq!(c.notice_missing(d("2027-02-01")), Some(2027));
        assert_eq!(c2.notice_missing(d("2026-11-23")), None);
    }

    // CAL-1: between is the inverse of due.
    #[test]
    fn cal_1_between_inverts_due() {
        let c = Calendar::builtin();
        assert_eq!(c.between(d("2026-09-30"), d("2026-10-13")).unwrap(), 5);
        assert_eq!(c.between(d("2026-10-13"), d("2026-09-30")).unwrap(), -5);
        assert_eq!(c.between(d("2026-10-01"), d("2026-10-07")).unwrap(), 0);
    }

    // CAL-1: local overrides (a local holiday) move deadlines.
    #[test]
    fn cal_1_local_override() {
        let c = Calendar::builtin().with_overrides(vec![Override {
            date: d("2026-11-23"),
            working: false,
            reason: "本地停电闭厅".into(),
        }]);
        assert_eq!(c.due(d("2026-11-20"), 1).unwrap(), d("2026-11-24"));
        assert_eq!(c.label(d("2026-11-23")).as_deref(), Some("本地停电闭厅"));
    }

    // CAL-1: importing a year in the notice JSON format extends coverage.
    #[test]
    fn cal_1_import_json_year() {
        let json = r#"{"year":2027,"papers":["x"],"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]}"#;
        let y = parse_notice_json(json).unwrap();
        let c = Calendar::builtin().with_year(y).unwrap();
        assert_eq!(c.due(d("2026-12-31"), 1).unwrap(), d("2027-01-04"));
        let round = parse_toml(&to_toml(&c.years().cloned().collect::<Vec<_>>())).unwrap();
        assert_eq!(round.len(), 12);
    }

    // Deterministic pseudo-random property checks (CAL-1):
    // due(due(d,a),b) == due(d,a+b) and the due day of N >= 1 is a working day.
    #[test]
    fn cal_1_properties() {
        let c = Calendar::builtin();
        let mut x: u64 = 0x9e3779b97f4a7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let start = d("2016-01-01");
        for _ in 0..20_000 {
            let day = start + chrono::Days::new(next() % 3600);
            let a = (next() % 40) as u32;
            let b = (next() % 40) as u32;
            let ab = c.due(c.due(day, a).unwrap(), b).unwrap();
            assert_eq!(ab, c.due(day, a + b).unwrap(), "{day} {a} {b}");
            if a >= 1 {
                let due = c.due(day, a).unwrap();
                assert!(c.is_working_day(due).unwrap());
                assert_eq!(c.between(day, due).unwrap(), a as i64);
            }
        }
    }
}
