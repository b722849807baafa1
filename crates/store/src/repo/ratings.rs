//! HCP: ratings and rectifications, written through the one ticket path
//! ([`tickets`](super::tickets)); this module says where they live and how lists find them.

use super::tickets::{self, Table};
use crate::{Result, Row, Tx, Value, params};
use noveto_domain::rating::Rating;
use noveto_domain::rectification::{Origin, Rectification};
use noveto_domain::ticket::Stored;
use noveto_domain::time::rfc3339;

impl Table for Rating {
    const TABLE: &'static str = "ratings";
    const RECEIPT: Option<&'static str> = Some("PJ");
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("center_id", self.center_id.into()),
            ("unit_id", self.unit_id.into()),
            ("window_id", self.window_id.into()),
            ("staff_id", self.staff_id.into()),
            ("service", self.service.kind().into()),
            ("service_id", self.service.id().into()),
            ("channel", self.channel.as_str().into()),
            ("once", self.channel.once().then_some(1i64).into()),
            ("satisfied", self.satisfied().into()),
            ("quarter", self.quarter().into()),
            ("rated_at", self.rated_at.map(rfc3339).unwrap_or_default().into()),
        ]
    }
}

impl Table for Rectification {
    const TABLE: &'static str = "rectifications";
    const RECEIPT: Option<&'static str> = Some("ZG");
    const DUE: bool = true;
    fn columns(&self) -> Vec<(&'static str, Value)> {
        let (origin, rating) = match &self.origin {
            Origin::Complaints { .. } => ("complaints", None),
            Origin::Inspection { .. } => ("inspection", None),
            Origin::Rating { rating_id, .. } => ("rating", Some(*rating_id)),
        };
        vec![
            ("center_id", self.center_id.into()),
            ("unit_id", self.unit_id.into()),
            ("assignee_id", self.assignee.into()),
            ("origin", origin.into()),
            ("rating_id", rating.into()),
            ("status", self.status.as_str().into()),
            ("opened_at", self.opened_at.map(rfc3339).unwrap_or_default().into()),
            ("done_at", self.done_at.map(rfc3339).into()),
        ]
    }
}

pub type RatingRow = Stored<Rating>;
pub type RectificationRow = Stored<Rectification>;

/// Whether a service was rated on the device or by SMS (HCP-2).
pub fn rated_once(tx: &mut dyn Tx, service: &str, id: i64) -> Result<bool> {
    Ok(tx
        .query_one("SELECT 1 FROM ratings WHERE service = $1 AND service_id = $2 AND once = 1", params![service, id])?
        .is_some())
}

/// The ratings of quarters `[from, to]` (`YYYYQn`, compared as text), with their centers' chains.
pub fn of_quarters(tx: &mut dyn Tx, from: &str, to: &str) -> Result<Vec<(RatingRow, Vec<i64>)>> {
    let rows: Vec<RatingRow> = tickets::select(tx, "quarter >= $1 AND quarter <= $2", params![from, to])?;
    super::org::with_chains(tx, rows, |r| r.center_id)
}

/// One group of ratings with a verdict: where they were given, the quarter, the channel, how many
/// and how many satisfied — annulled ones left out.
#[derive(Debug, Clone)]
pub struct Tally {
    pub center_id: i64,
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    pub quarter: String,
    pub channel: String,
    pub total: u64,
    pub satisfied: u64,
}

/// HCP-5 at a province's size: the quarters' `[from, to]` ratings per place, quarter and channel
/// as the database keeps them counted (`rating_counts`, migration 33: a few hundred rows a quarter
/// whatever the number of ratings — on PostgreSQL with the rows written since the last fold, see
/// `Store::fold_kept_counts`), with the centers' chains for the access decision on each group.
pub fn tally(tx: &mut dyn Tx, from: &str, to: &str) -> Result<Vec<(Tally, Vec<i64>)>> {
    let rows: Vec<Tally> = tx
        .query(
            "SELECT center_id, NULLIF(unit_id, 0), NULLIF(window_id, 0), quarter, channel, CAST(SUM(total) AS BIGINT),
                    CAST(SUM(satisfied) AS BIGINT) FROM rating_counts
              WHERE quarter >= $1 AND quarter <= $2
              GROUP BY center_id, unit_id, window_id, quarter, channel HAVING SUM(total) <> 0",
            params![from, to],
        )?
        .iter()
        .map(tally_row)
        .collect();
    super::org::with_chains(tx, rows, |t| t.center_id)
}

/// What [`tally`] reads, counted from the ratings themselves (annulled ones left out), in the same
/// order: the check that the kept counts agree with the rows (`noveto audit verify`, the store's
/// tests) and the hand computation the benchmarks compare against.
pub fn tally_counted(tx: &mut dyn Tx, from: &str, to: &str) -> Result<Vec<Tally>> {
    Ok(tx
        .query(
            "SELECT center_id, unit_id, window_id, quarter, channel, COUNT(*), COUNT(CASE WHEN satisfied <> 0 THEN 1 END) FROM ratings
              WHERE quarter >= $1 AND quarter <= $2 AND satisfied IS NOT NULL
                AND id NOT IN (SELECT rating_id FROM rectifications WHERE status = 'annulled' AND rating_id IS NOT NULL)
              GROUP BY center_id, unit_id, window_id, quarter, channel",
            params![from, to],
        )?
        .iter()
        .map(tally_row)
        .collect())
}

fn tally_row(r: &Row) -> Tally {
    Tally {
        center_id: r.i64(0),
        unit_id: r.opt_i64(1),
        window_id: r.opt_i64(2),
        quarter: r.str(3),
        channel: r.str(4),
        total: r.i64(5).max(0) as u64,
        satisfied: r.i64(6).max(0) as u64,
    }
}

/// Where the kept counts of `[from, to]` differ from the ratings they count: each key (center,
/// unit, window, quarter, channel) with its kept and its counted (total, satisfied). Empty when
/// they agree.
pub fn tally_drift(tx: &mut dyn Tx, from: &str, to: &str) -> Result<Vec<TallyDrift>> {
    let keyed = |t: Tally| ((t.center_id, t.unit_id, t.window_id, t.quarter, t.channel), (t.total, t.satisfied));
    let kept = tally(tx, from, to)?.into_iter().map(|(t, _)| keyed(t));
    let counted = tally_counted(tx, from, to)?.into_iter().map(keyed);
    Ok(super::differing(kept, counted)
        .into_iter()
        .map(|((center_id, unit_id, window_id, quarter, channel), kept, counted)| TallyDrift {
            center_id,
            unit_id,
            window_id,
            quarter,
            channel,
            kept,
            counted,
        })
        .collect())
}

/// One key whose kept counts differ from its ratings (see [`tally_drift`]).
#[derive(Debug, Clone, PartialEq)]
pub struct TallyDrift {
    pub center_id: i64,
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    pub quarter: String,
    pub channel: String,
    /// (total, satisfied) as kept and as counted.
    pub kept: (u64, u64),
    pub counted: (u64, u64),
}

/// The ratings annulled by an upheld appeal (they do not count).
pub fn annulled(tx: &mut dyn Tx) -> Result<Vec<i64>> {
    Ok(tx
        .query("SELECT rating_id FROM rectifications WHERE status = 'annulled' AND rating_id IS NOT NULL", &[])?
        .iter()
        .map(|r| r.i64(0))
        .collect())
}

/// Rectifications (open ones, or every one), newest first, with their centers' chains.
pub fn rectifications(tx: &mut dyn Tx, open_only: bool) -> Result<Vec<(RectificationRow, Vec<i64>)>> {
    let rows: Vec<RectificationRow> = if open_only {
        tickets::select(tx, "status IN ('open', 'appealed')", &[])?
    } else {
        tickets::select(tx, "1 = 1", &[])?
    };
    super::org::with_chains(tx, rows, |r| r.center_id)
}

/// A service that ended: `(kind, id, center, unit, window, closed_at)`.
pub type Ended = (String, i64, i64, Option<i64>, Option<i64>, String);

/// The services that ended in `[from, to)` (RFC 3339 instants): `(kind, id, center, unit, window,
/// closed_at)` — cases, 办不成事 matters and complaints — for the SMS invitations and the
/// callback sample.
pub fn ended(tx: &mut dyn Tx, from: &str, to: &str) -> Result<Vec<Ended>> {
    let mut out = vec![];
    for r in tx.query(
        "SELECT id, center_id, unit_id, window_id, closed_at FROM cases WHERE closed_at >= $1 AND closed_at < $2 ORDER BY id",
        params![from, to],
    )? {
        out.push(("case".to_string(), r.i64(0), r.i64(1), r.opt_i64(2), r.opt_i64(3), r.str(4)));
    }
    for r in tx.query(
        "SELECT id, center_id, unit_id, desk_id, closed_at FROM unresolved WHERE closed_at >= $1 AND closed_at < $2 ORDER BY id",
        params![from, to],
    )? {
        out.push(("unresolved".to_string(), r.i64(0), r.i64(1), r.opt_i64(2), r.opt_i64(3), r.str(4)));
    }
    for r in tx.query(
        "SELECT id, center_id, lead_id, window_id, closed_at FROM complaints WHERE closed_at >= $1 AND closed_at < $2 ORDER BY id",
        params![from, to],
    )? {
        out.push(("complaint".to_string(), r.i64(0), r.i64(1), r.opt_i64(2), r.opt_i64(3), r.str(4)));
    }
    Ok(out)
}

/// Closed cases with their windows, by id (the demo's services to rate).
pub fn closed_cases(tx: &mut dyn Tx) -> Result<Vec<(i64, Option<i64>)>> {
    Ok(tx
        .query("SELECT id, window_id FROM cases WHERE status = 'closed' ORDER BY id", &[])?
        .iter()
        .map(|r| (r.i64(0), r.opt_i64(1)))
        .collect())
}

/// The cases of a window opened or closed since `since`, newest first (the rating device's).
pub fn recent_at_window(tx: &mut dyn Tx, window_id: i64, since: &str) -> Result<Vec<i64>> {
    Ok(tx
        .query(
            "SELECT id FROM cases WHERE window_id = $1 AND (closed_at >= $2 OR opened_at >= $2) ORDER BY id DESC LIMIT 10",
            params![window_id, since],
        )?
        .iter()
        .map(|r| r.i64(0))
        .collect())
}

/// The services called back in a quarter: `(kind, id)`.
pub fn called(tx: &mut dyn Tx, quarter: &str) -> Result<Vec<(String, i64)>> {
    Ok(tx
        .query("SELECT service, service_id FROM ratings WHERE channel = 'callback' AND quarter = $1", params![quarter])?
        .iter()
        .map(|r| (r.str(0), r.i64(1)))
        .collect())
}

/// The rectification a rating opened, if any.
pub fn rectification_of(tx: &mut dyn Tx, rating_id: i64) -> Result<Option<RectificationRow>> {
    Ok(tickets::select::<Rectification>(tx, "rating_id = $1", params![rating_id])?.into_iter().next())
}
