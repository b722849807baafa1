//! AS-1, NV-15: the matters behind the center's monthly figures — counted by (center, unit,
//! window) for the assessment, one row each for its drill-down — with the center chain for the
//! reader's scope. Both reads are made from one description of each figure, so what a figure
//! counts and what its drill-down lists cannot drift apart.

use crate::{Result, Tx, Value, params};

/// One figure: the columns that place a matter (center, unit, window), what names and links it,
/// and where it is found.
struct Figure {
    name: &'static str,
    link: &'static str,
    center: &'static str,
    unit: &'static str,
    window: &'static str,
    matter: &'static str,
    /// `FROM … WHERE …` with `$1`, `$2` (and for overdue `$3`): see [`Figure::params`].
    source: &'static str,
    /// Whether the bounds are days (deadlines) rather than instants.
    days: bool,
    /// Where the database keeps this figure counted as it is written (center, unit and window —
    /// 0 for none — and the count, with the same bounds): read by [`counts`] in place of
    /// counting `source`, which stays the drill-down's and the check's ([`drift`]).
    kept: Option<&'static str>,
}

const FIGURES: [Figure; 5] = [
    Figure {
        name: "vetoes",
        link: "/cases/{id}",
        center: "c.center_id",
        unit: "v.unit_id",
        window: "c.window_id",
        matter: "c.receipt_no, c.id, v.id",
        source: "FROM veto_requests v JOIN cases c ON c.id = v.case_id
                 WHERE v.status = 'approved' AND v.requested_at >= $1 AND v.requested_at < $2",
        days: false,
        kept: None,
    },
    Figure {
        name: "overdue",
        link: "/cases/{id}",
        center: "c.center_id",
        unit: "c.unit_id",
        window: "c.window_id",
        matter: "c.receipt_no, c.id, d.id",
        source: "FROM deadlines d JOIN cases c ON c.id = d.entity_id
                 WHERE d.entity || '' = 'case' AND d.state NOT IN ('met', 'paused') AND d.due >= $1 AND d.due < $2 AND d.due < $3",
        days: true,
        // Migration 34: live case deadlines per due day and place.
        kept: Some(
            "SELECT center_id, NULLIF(unit_id, 0), NULLIF(window_id, 0), CAST(SUM(live) AS BIGINT) FROM deadline_counts
              WHERE due >= $1 AND due < $2 AND due < $3 GROUP BY 1, 2, 3 HAVING SUM(live) <> 0",
        ),
    },
    Figure {
        name: "complaints",
        link: "/complaints#c{id}",
        center: "center_id",
        unit: "COALESCE(about_unit, lead_id)",
        window: "window_id",
        matter: "receipt_no, id, id",
        source: "FROM complaints WHERE received_at >= $1 AND received_at < $2",
        days: false,
        kept: None,
    },
    Figure {
        name: "unresolved",
        link: "/unresolved#u{id}",
        center: "center_id",
        unit: "unit_id",
        window: "desk_id",
        matter: "receipt_no, id, id",
        source: "FROM unresolved WHERE registered_at >= $1 AND registered_at < $2 AND unit_id IS NOT NULL",
        days: false,
        kept: None,
    },
    Figure {
        name: "flagged_replies",
        link: "/cases/{id}",
        center: "c.center_id",
        unit: "c.unit_id",
        window: "c.window_id",
        matter: "c.receipt_no, c.id, e.id",
        source: "FROM case_events e JOIN cases c ON c.id = e.case_id
                 WHERE e.flagged = 1 AND NOT (e.kind = 'closed' AND e.tag = 'answered') AND e.at >= $1 AND e.at < $2",
        days: false,
        kept: None,
    },
];

impl Figure {
    /// The columns that place a matter: center, unit, window.
    fn place(&self) -> String {
        format!("{}, {}, {}", self.center, self.unit, self.window)
    }

    /// The statement that counts this figure from its rows by (center, unit, window).
    fn counting(&self) -> String {
        format!("SELECT {}, COUNT(*) {} GROUP BY 1, 2, 3", self.place(), self.source)
    }

    /// The bounds `[from, to)` as this figure compares them (overdue: deadlines that fell due in
    /// the period before `today` and were not met).
    fn params(&self, from: &str, to: &str, today: &str) -> Vec<Value> {
        if self.days {
            let (df, dt) = (&from[..10.min(from.len())], &to[..10.min(to.len())]);
            params![df, dt, today].to_vec()
        } else {
            params![from, to].to_vec()
        }
    }
}

/// One matter counted by a figure.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Counted {
    /// `vetoes`, `overdue`, `complaints`, `unresolved` or `flagged_replies`.
    pub figure: &'static str,
    pub center_id: i64,
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    /// The matter's receipt number and where people open it.
    pub receipt_no: String,
    pub link: String,
}

/// The matters behind each figure of `[from, to)` (RFC 3339 instants) placed in `unit`.
pub fn counted(tx: &mut dyn Tx, from: &str, to: &str, today: &str, unit: i64) -> Result<Vec<Counted>> {
    let mut out = vec![];
    for f in &FIGURES {
        let mut p = f.params(from, to, today);
        let sql =
            format!("SELECT {}, {} {} AND {} = ${} ORDER BY 6", f.place(), f.matter, f.source, f.unit, p.len() + 1);
        p.push(Value::Int(unit));
        out.extend(tx.query(&sql, &p)?.iter().map(|r| Counted {
            figure: f.name,
            center_id: r.i64(0),
            unit_id: r.opt_i64(1),
            window_id: r.opt_i64(2),
            receipt_no: r.str(3),
            link: f.link.replace("{id}", &r.i64(4).to_string()),
        }));
    }
    Ok(out)
}

/// How many matters each figure of `[from, to)` counts in one place.
#[derive(Debug, Clone)]
pub struct CountedGroup {
    pub figure: &'static str,
    pub center_id: i64,
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    pub count: i64,
}

/// Each figure of `[from, to)` counted by (center, unit, window) in the database, each group with
/// its center chain for the one access decision — what [`counted`] lists, without reading it.
pub fn counts(tx: &mut dyn Tx, from: &str, to: &str, today: &str) -> Result<Vec<(CountedGroup, Vec<i64>)>> {
    let mut groups = vec![];
    for f in &FIGURES {
        let sql = match f.kept {
            Some(kept) => kept.to_string(),
            None => f.counting(),
        };
        groups.extend(tx.query(&sql, &f.params(from, to, today))?.iter().map(|r| CountedGroup {
            figure: f.name,
            center_id: r.i64(0),
            unit_id: r.opt_i64(1),
            window_id: r.opt_i64(2),
            count: r.i64(3),
        }));
    }
    let mut chains = super::org::Chains::default();
    let mut out = Vec::with_capacity(groups.len());
    for g in groups {
        let centers = chains.of(tx, Some(g.center_id))?;
        out.push((g, centers));
    }
    Ok(out)
}

/// The receipt numbers of cases by id, in one read (for the other negative endings' drill-down).
pub fn case_receipts(tx: &mut dyn Tx, ids: &[i64]) -> Result<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let list = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    Ok(tx
        .query(&format!("SELECT id, receipt_no FROM cases WHERE id IN ({list})"), &[])?
        .iter()
        .map(|r| (r.i64(0), r.str(1)))
        .collect())
}

/// One place where a figure's kept count differs from what its rows count (see [`drift`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    pub figure: &'static str,
    pub center_id: i64,
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    pub kept: i64,
    pub counted: i64,
}

/// Where the figures the database keeps counted (today: the overdue deadlines) differ, over
/// `[from, to)` before `today`, from the same figures counted from their rows. Empty when they
/// agree: `noveto audit verify` and the store's tests ask.
pub fn drift(tx: &mut dyn Tx, from: &str, to: &str, today: &str) -> Result<Vec<Drift>> {
    let mut out = vec![];
    for f in FIGURES.iter().filter(|f| f.kept.is_some()) {
        let p = f.params(from, to, today);
        let mut read = |sql: &str| -> Result<Vec<_>> {
            Ok(tx.query(sql, &p)?.iter().map(|r| ((r.i64(0), r.opt_i64(1), r.opt_i64(2)), r.i64(3))).collect())
        };
        let (kept, counted) = (read(f.kept.unwrap_or_default())?, read(&f.counting())?);
        out.extend(super::differing(kept, counted).into_iter().map(
            |((center_id, unit_id, window_id), kept, counted)| Drift {
                figure: f.name,
                center_id,
                unit_id,
                window_id,
                kept,
                counted,
            },
        ));
    }
    Ok(out)
}
