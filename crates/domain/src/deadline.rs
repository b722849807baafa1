//! Deadlines (CAL-2): what a deadline is for, when it starts, its rule, where the rule comes
//! from, and the intervals during which its clock was paused.
//!
//! Pure: every function takes `now` and the [`Calendar`]. A deadline falls due at the end of its
//! due day in Asia/Shanghai (当日 = by the end of that day).

use crate::calendar::{Calendar, CalendarError};
use crate::time::{end_of_day, local_date};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// How the due day is found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rule {
    /// The N-th working day after the start day (start not counted).
    WorkingDays { days: u32 },
    /// By the end of the start day (当日).
    SameDay,
    /// A date fixed by a person (e.g. the supervision section for a complex matter, an
    /// expert study in the fuzhou preset).
    Manual { due: NaiveDate },
}

/// Where a rule comes from, shown beside every deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Source {
    pub policy: String,
    pub version: u32,
    /// The policy clause, e.g. `gray_area.major`.
    pub clause: String,
    /// The document and section the number comes from, e.g. `安行审发〔2024〕7号 二(三)：5 个工作日内答复`.
    pub document: String,
}

/// A closed or open pause of the clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Running,
    DueSoon,
    Overdue,
    Met,
    Paused,
}

impl State {
    pub fn label(self) -> &'static str {
        match self {
            State::Running => "进行中",
            State::DueSoon => "即将到期",
            State::Overdue => "已超期",
            State::Met => "已完成",
            State::Paused => "已暂停",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// What must happen by the due day, e.g. `reply`, `veto_decision`, `supplement`.
    pub what: String,
    pub start: DateTime<FixedOffset>,
    pub rule: Rule,
    pub source: Source,
    #[serde(default)]
    pub pauses: Vec<Pause>,
    #[serde(default)]
    pub met_at: Option<DateTime<FixedOffset>>,
    /// Set when a calendar change moved the due day earlier than the first working day after
    /// the change: the due day is never earlier than this (nothing becomes overdue
    /// retroactively).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error("该期限已暂停，不能重复暂停")]
    AlreadyPaused,
    #[error("该期限未暂停，无需恢复")]
    NotPaused,
    #[error("恢复日期早于暂停日期")]
    ResumeBeforePause,
}

impl Deadline {
    pub fn new(what: &str, start: DateTime<FixedOffset>, rule: Rule, source: Source) -> Deadline {
        Deadline { what: what.into(), start, rule, source, pauses: vec![], met_at: None, not_before: None }
    }

    fn base_due(&self, cal: &Calendar) -> Result<NaiveDate, CalendarError> {
        let start = local_date(self.start);
        match &self.rule {
            Rule::WorkingDays { days } => cal.due(start, *days),
            Rule::SameDay => Ok(start),
            Rule::Manual { due } => Ok(*due),
        }
    }

    /// Working days during which the clock stood still, counting an open pause up to `today`.
    fn paused_days(&self, cal: &Calendar, today: NaiveDate) -> Result<u32, CalendarError> {
        let mut sum = 0i64;
        for p in &self.pauses {
            let to = p.to.unwrap_or(today);
            sum += cal.between(p.from, to)?.max(0);
        }
        Ok(sum as u32)
    }

    /// The due day as of `now`: the base due day moved by every paused working day, and never
    /// before [`Deadline::not_before`].
    pub fn due(&self, cal: &Calendar, now: DateTime<FixedOffset>) -> Result<NaiveDate, CalendarError> {
        let d = self.computed_due(cal, now)?;
        Ok(self.not_before.map_or(d, |nb| d.max(nb)))
    }

    /// After a calendar change (an imported notice, a local override): the due day under `new`
    /// where it differs from the one under `old`, as `(before, after)`. A due day that would now
    /// fall before the first working day after `now` is held at that day, unless the deadline
    /// was already overdue — a notice never makes work overdue retroactively (CAL-2).
    pub fn recompute(
        &mut self,
        old: &Calendar,
        new: &Calendar,
        now: DateTime<FixedOffset>,
    ) -> Result<Option<(NaiveDate, NaiveDate)>, CalendarError> {
        if self.met_at.is_some() {
            return Ok(None);
        }
        let before = self.due(old, now)?;
        let after = self.due(new, now)?;
        if before == after {
            return Ok(None);
        }
        let today = local_date(now);
        let floor = new.due(today, 1)?;
        let after = if after < floor && before >= today {
            self.not_before = Some(floor);
            floor
        } else {
            after
        };
        Ok((before != after).then_some((before, after)))
    }

    fn computed_due(&self, cal: &Calendar, now: DateTime<FixedOffset>) -> Result<NaiveDate, CalendarError> {
        let base = self.base_due(cal)?;
        let paused = self.paused_days(cal, local_date(now))?;
        if paused == 0 {
            return Ok(base);
        }
        cal.due(base, paused)
    }

    /// The moment the deadline falls due (end of the due day, +08:00).
    pub fn due_at(&self, cal: &Calendar, now: DateTime<FixedOffset>) -> Result<DateTime<FixedOffset>, CalendarError> {
        Ok(end_of_day(self.due(cal, now)?))
    }

    pub fn is_paused(&self) -> bool {
        self.pauses.last().is_some_and(|p| p.to.is_none())
    }

    pub fn pause(&mut self, now: DateTime<FixedOffset>) -> Result<(), DeadlineError> {
        if self.is_paused() {
            return Err(DeadlineError::AlreadyPaused);
        }
        self.pauses.push(Pause { from: local_date(now), to: None });
        Ok(())
    }

    pub fn resume(&mut self, now: DateTime<FixedOffset>) -> Result<(), DeadlineError> {
        let today = local_date(now);
        match self.pauses.last_mut() {
            Some(p) if p.to.is_none() => {
                if today < p.from {
                    return Err(DeadlineError::ResumeBeforePause);
                }
                p.to = Some(today);
                Ok(())
            }
            _ => Err(DeadlineError::NotPaused),
        }
    }

    pub fn meet(&mut self, now: DateTime<FixedOffset>) {
        if self.met_at.is_none() {
            self.met_at = Some(now);
        }
    }

    /// Working days left until the due day (0 on the due day, negative when overdue).
    pub fn days_left(&self, cal: &Calendar, now: DateTime<FixedOffset>) -> Result<i64, CalendarError> {
        let today = local_date(now);
        let due = self.due(cal, now)?;
        if today <= due {
            cal.between(today, due)
        } else {
            // Overdue by at least one: count the days past, at least 1.
            Ok(-(cal.between(due, today)?.max(1)))
        }
    }

    /// The state as of `now`; `soon` is how many working days before the due day count as
    /// "due soon" (a policy value).
    pub fn state(&self, cal: &Calendar, now: DateTime<FixedOffset>, soon: u32) -> Result<State, CalendarError> {
        if self.met_at.is_some() {
            return Ok(State::Met);
        }
        if self.is_paused() {
            return Ok(State::Paused);
        }
        if now > self.due_at(cal, now)? {
            return Ok(State::Overdue);
        }
        if self.days_left(cal, now)? <= soon as i64 {
            return Ok(State::DueSoon);
        }
        Ok(State::Running)
    }
}

/// What a deadline is for, in words (`reply#2` → 请示答复).
pub fn label_of(what: &str) -> &'static str {
    match what.split('#').next().unwrap_or(what) {
        "reply" => "请示答复",
        "veto_decision" => "否决报批审批",
        "supplement" => "容缺材料补正",
        "promised_time_limit" => "承诺办结时限",
        "report_same_day" => "重大事项当日报告",
        "unresolved_done" => "办不成事办结",
        "unresolved_reasons" => "无法办理的书面说明",
        "unresolved_fallback" => "否决兜底答复",
        "complaint_done" => "吐槽找茬办结",
        "complaint_contact" => "联系吐槽找茬诉求人",
        "stage" => "办理阶段时限",
        "commitment_check" => "告知承诺事后核查",
        _ => "期限",
    }
}

/// The people at a matter's place, as the job runner finds them, for the rules below.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Around {
    /// Whose deadline it is (the first contact of a case, the owner of another entity).
    pub owner: i64,
    /// B, while the owner's A post is marked absent (ORG-4).
    pub stand_in: Option<i64>,
    /// The heads of the matter's window.
    pub window_heads: Vec<i64>,
    /// The unit's leader in charge (ORG-3) and the unit leaders of its unit.
    pub unit_leaders: Vec<i64>,
}

/// CAL-2, ORG-4: a deadline falling due is a reminder to the one working the matter — B while
/// A is away, told whose matter it is (`true`).
pub fn reminded(a: &Around) -> (i64, bool) {
    match a.stand_in {
        Some(b) => (b, true),
        None => (a.owner, false),
    }
}

/// CAL-2, NV-7: a missed deadline is heard by the owner, B standing in for an absent A, and the
/// next level up at the matter's place (the window's head, the unit's leaders) — each once.
pub fn hears_of_missed(a: &Around) -> Vec<i64> {
    let mut out = vec![a.owner];
    out.extend(a.stand_in);
    out.extend(&a.window_heads);
    out.extend(&a.unit_leaders);
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod audience_tests {
    use super::*;

    #[test]
    fn cal_2_who_hears_of_a_deadline() {
        let alone = Around { owner: 7, ..Default::default() };
        assert_eq!(reminded(&alone), (7, false));
        assert_eq!(hears_of_missed(&alone), vec![7]);
        let covered = Around { owner: 7, stand_in: Some(8), window_heads: vec![3, 7], unit_leaders: vec![2, 3] };
        assert_eq!(reminded(&covered), (8, true), "ORG-4: B works the matter while A is away");
        assert_eq!(hears_of_missed(&covered), vec![2, 3, 7, 8], "owner, B and the level above, once each");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::at;

    // CAL-2: importing a notice moves a provisional due day; one that would land in the past is
    // held at the first working day after the import; a met deadline stays as it was.
    #[test]
    fn cal_2_recompute_after_a_notice() {
        use crate::calendar::{Holiday, YearNotice};
        let old = Calendar::builtin();
        let notice = |off: Vec<&str>, work: Vec<&str>| YearNotice {
            year: 2027,
            notices: vec!["测试通知".into()],
            holidays: vec![Holiday {
                name: "春节".into(),
                off: off.into_iter().map(d).collect(),
                work: work.into_iter().map(d).collect(),
            }],
        };
        let src = Source::default();
        // Opened 2027-01-25, 10 working days: provisionally 02-12 (02-05 eve and 02-08 off, and
        // 02-09/10 in lieu of the festival's weekend days).
        let mut dl =
            Deadline::new("reply", at("2027-01-25T10:00:00+08:00"), Rule::WorkingDays { days: 10 }, src.clone());
        let now = at("2027-01-26T10:00:00+08:00");
        assert_eq!(dl.due(&old, now).unwrap(), d("2027-02-12"));
        // The notice adds 02-09..02-11 off and a make-up Saturday 02-20.
        let new = old
            .with_year(notice(
                vec!["2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11"],
                vec!["2027-02-20"],
            ))
            .unwrap();
        assert_eq!(dl.recompute(&old, &new, now).unwrap(), Some((d("2027-02-12"), d("2027-02-15"))));
        assert_eq!(dl.due(&new, now).unwrap(), d("2027-02-15"));
        assert_eq!(dl.not_before, None);
        // A notice that makes a day worked moves the due day earlier — never before tomorrow's
        // working day: opened 01-20 with 5 days, due 01-27 provisionally; the notice (made up)
        // turns 01-23 (a Saturday) into a working day, so 01-26 would be due — but it is 01-26
        // now: held at 01-27.
        let mut short =
            Deadline::new("reply", at("2027-01-20T10:00:00+08:00"), Rule::WorkingDays { days: 5 }, src.clone());
        assert_eq!(short.due(&old, now).unwrap(), d("2027-01-27"));
        let new2 = old.with_year(notice(vec!["2027-02-05"], vec!["2027-01-23"])).unwrap();
        assert_eq!(short.due(&new2, now).unwrap(), d("2027-01-26"));
        assert_eq!(short.recompute(&old, &new2, now).unwrap(), None, "held at 01-27: unchanged");
        assert_eq!(short.not_before, Some(d("2027-01-27")));
        assert_eq!(short.due(&new2, now).unwrap(), d("2027-01-27"));
        // Met deadlines are history.
        let mut met = Deadline::new("reply", at("2027-01-20T10:00:00+08:00"), Rule::WorkingDays { days: 5 }, src);
        met.meet(now);
        assert_eq!(met.recompute(&old, &new2, now).unwrap(), None);
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    // CAL-2: a paused deadline moves by exactly the paused working days.
    #[test]
    fn cal_2_pause_moves_due_by_paused_working_days() {
        let cal = Calendar::builtin();
        let mut dl = Deadline::new(
            "supplement",
            at("2026-09-28T10:00:00+08:00"),
            Rule::WorkingDays { days: 5 },
            Source::default(),
        );
        let now = at("2026-09-28T10:00:00+08:00");
        // 09-29, 09-30, 10-08, 10-09 and the make-up Saturday 10-10.
        assert_eq!(dl.due(&cal, now).unwrap(), d("2026-10-10"));
        // Paused on 09-29, resumed on 10-09: working days in (09-29, 10-09] = 09-30, 10-08, 10-09.
        dl.pause(at("2026-09-29T09:00:00+08:00")).unwrap();
        assert_eq!(dl.state(&cal, at("2026-10-08T09:00:00+08:00"), 1).unwrap(), State::Paused);
        dl.resume(at("2026-10-09T09:00:00+08:00")).unwrap();
        let paused = cal.between(d("2026-09-29"), d("2026-10-09")).unwrap();
        assert_eq!(paused, 3);
        assert_eq!(dl.due(&cal, at("2026-10-09T09:00:00+08:00")).unwrap(), cal.due(d("2026-10-10"), 3).unwrap());
        assert_eq!(dl.due(&cal, at("2026-10-09T09:00:00+08:00")).unwrap(), d("2026-10-14"));
        assert_eq!(dl.resume(at("2026-10-09T09:00:00+08:00")), Err(DeadlineError::NotPaused));
    }

    // CAL-2 + CAL-1: states across the due day; 当日 ends at the end of the day.
    #[test]
    fn cal_2_states() {
        let cal = Calendar::builtin();
        let mut dl =
            Deadline::new("reply", at("2026-11-20T16:00:00+08:00"), Rule::WorkingDays { days: 5 }, Source::default());
        assert_eq!(dl.due(&cal, at("2026-11-20T16:00:00+08:00")).unwrap(), d("2026-11-27"));
        assert_eq!(dl.state(&cal, at("2026-11-23T09:00:00+08:00"), 1).unwrap(), State::Running);
        assert_eq!(dl.state(&cal, at("2026-11-26T09:00:00+08:00"), 1).unwrap(), State::DueSoon);
        assert_eq!(dl.state(&cal, at("2026-11-27T23:59:00+08:00"), 1).unwrap(), State::DueSoon);
        assert_eq!(dl.state(&cal, at("2026-11-28T00:00:01+08:00"), 1).unwrap(), State::Overdue);
        assert_eq!(dl.days_left(&cal, at("2026-11-30T09:00:00+08:00")).unwrap(), -1);
        dl.meet(at("2026-11-30T09:00:00+08:00"));
        assert_eq!(dl.state(&cal, at("2026-12-30T09:00:00+08:00"), 1).unwrap(), State::Met);

        let same = Deadline::new("report", at("2026-11-20T16:00:00+08:00"), Rule::SameDay, Source::default());
        assert_eq!(same.state(&cal, at("2026-11-20T23:00:00+08:00"), 0).unwrap(), State::DueSoon);
        assert_eq!(same.state(&cal, at("2026-11-21T00:00:00+08:00"), 0).unwrap(), State::Overdue);
    }
}
