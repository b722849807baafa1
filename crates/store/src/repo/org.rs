//! Organization (ORG-1 … ORG-4): centers, units, windows and desks, staff, roles, the unit
//! liaison table and AB posts.

use super::{Ctx, audit};
use crate::{Result, Row, StoreError, Tx, params};
use noveto_domain::access::{Grant, Place, Role, Scope, ScopeKind};
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, Serialize)]
pub struct Center {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub level: String,
    pub address: String,
    pub hotline: String,
    pub supervision_phone: String,
    pub region: String,
    /// NV-17: the body that hears an administrative review (行政复议机关) of a refusal here,
    /// and within how many days; the court for 行政诉讼, and within how many months.
    pub review_body: String,
    pub review_days: i64,
    pub court: String,
    pub litigation_months: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    pub id: i64,
    pub center_id: i64,
    pub name: String,
    pub leader_id: Option<i64>,
    pub contact_id: Option<i64>,
}

/// The kinds of window: an ordinary unit window and the special desks (ORG-1).
pub const WINDOW_KINDS: [(&str, &str); 4] = [
    ("window", "业务窗口"),
    ("consultation_desk", "综合咨询服务台"),
    ("unresolved_desk", "“办不成事”反映窗口"),
    ("complaint_window", "“吐槽找茬”窗口"),
];

#[derive(Debug, Clone, Serialize)]
pub struct Window {
    pub id: i64,
    pub center_id: i64,
    pub unit_id: Option<i64>,
    pub name: String,
    pub kind: String,
    pub primary_id: Option<i64>,
    pub backup_id: Option<i64>,
    pub primary_absent: bool,
}

impl Window {
    /// ORG-4: who works the post now — B when A is marked absent.
    pub fn on_duty(&self) -> Option<i64> {
        if self.primary_absent { self.backup_id.or(self.primary_id) } else { self.primary_id }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Staff {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub active: bool,
}

fn center(r: &Row) -> Center {
    Center {
        id: r.i64(0),
        parent_id: r.opt_i64(1),
        name: r.str(2),
        level: r.str(3),
        address: r.str(4),
        hotline: r.str(5),
        supervision_phone: r.str(6),
        region: r.str(7),
        review_body: r.str(8),
        review_days: r.i64(9),
        court: r.str(10),
        litigation_months: r.i64(11),
    }
}
const CENTER_COLS: &str = "id, parent_id, name, level, address, hotline, supervision_phone, region, review_body, review_days, court, litigation_months";

fn unit(r: &Row) -> Unit {
    Unit { id: r.i64(0), center_id: r.i64(1), name: r.str(2), leader_id: r.opt_i64(3), contact_id: r.opt_i64(4) }
}
const UNIT_COLS: &str = "id, center_id, name, leader_id, contact_id";

fn window(r: &Row) -> Window {
    Window {
        id: r.i64(0),
        center_id: r.i64(1),
        unit_id: r.opt_i64(2),
        name: r.str(3),
        kind: r.str(4),
        primary_id: r.opt_i64(5),
        backup_id: r.opt_i64(6),
        primary_absent: r.bool(7),
    }
}
const WINDOW_COLS: &str = "id, center_id, unit_id, name, kind, primary_id, backup_id, primary_absent";

pub struct NewCenter<'a> {
    pub name: &'a str,
    pub parent_id: Option<i64>,
    pub level: &'a str,
    pub address: &'a str,
    pub hotline: &'a str,
    pub supervision_phone: &'a str,
}

/// CAL-1: the region whose local calendar overrides apply to a center.
pub fn set_region(tx: &mut dyn Tx, ctx: &Ctx, center_id: i64, region: &str) -> Result<bool> {
    let n = tx.exec("UPDATE centers SET region = $1 WHERE id = $2", params![region, center_id])?;
    if n > 0 {
        audit::append(tx, ctx, "center.region", "center", center_id, &json!({"region": region}))?;
    }
    Ok(n > 0)
}

pub fn create_center(tx: &mut dyn Tx, ctx: &Ctx, c: &NewCenter) -> Result<i64> {
    let id = tx.insert(
        "INSERT INTO centers (parent_id, name, level, address, hotline, supervision_phone)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        params![c.parent_id, c.name, c.level, c.address, c.hotline, c.supervision_phone],
    )?;
    audit::append(tx, ctx, "center.create", "center", id, &json!({"name": c.name, "parent_id": c.parent_id}))?;
    Ok(id)
}

pub fn centers(tx: &mut dyn Tx) -> Result<Vec<Center>> {
    Ok(tx.query(&format!("SELECT {CENTER_COLS} FROM centers ORDER BY id"), &[])?.iter().map(center).collect())
}

pub fn center_by_id(tx: &mut dyn Tx, id: i64) -> Result<Option<Center>> {
    Ok(tx.query_one(&format!("SELECT {CENTER_COLS} FROM centers WHERE id = $1"), params![id])?.as_ref().map(center))
}

pub fn create_unit(tx: &mut dyn Tx, ctx: &Ctx, center_id: i64, name: &str) -> Result<i64> {
    let id = tx.insert("INSERT INTO units (center_id, name) VALUES ($1, $2) RETURNING id", params![center_id, name])?;
    audit::append(tx, ctx, "unit.create", "unit", id, &json!({"center_id": center_id, "name": name}))?;
    Ok(id)
}

pub fn units(tx: &mut dyn Tx) -> Result<Vec<Unit>> {
    Ok(tx.query(&format!("SELECT {UNIT_COLS} FROM units ORDER BY id"), &[])?.iter().map(unit).collect())
}

pub fn unit_by_id(tx: &mut dyn Tx, id: i64) -> Result<Option<Unit>> {
    Ok(tx.query_one(&format!("SELECT {UNIT_COLS} FROM units WHERE id = $1"), params![id])?.as_ref().map(unit))
}

/// ORG-3: the unit's leader in charge and contact person for 办不成事 matters.
pub fn set_liaison(tx: &mut dyn Tx, ctx: &Ctx, unit_id: i64, leader_id: i64, contact_id: i64) -> Result<bool> {
    let n = tx.exec(
        "UPDATE units SET leader_id = $1, contact_id = $2 WHERE id = $3",
        params![leader_id, contact_id, unit_id],
    )?;
    if n > 0 {
        audit::append(
            tx,
            ctx,
            "unit.liaison",
            "unit",
            unit_id,
            &json!({"leader_id": leader_id, "contact_id": contact_id}),
        )?;
    }
    Ok(n > 0)
}

pub fn create_window(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    center_id: i64,
    unit_id: Option<i64>,
    name: &str,
    kind: &str,
) -> Result<i64> {
    let id = tx.insert(
        "INSERT INTO windows (center_id, unit_id, name, kind) VALUES ($1, $2, $3, $4) RETURNING id",
        params![center_id, unit_id, name, kind],
    )?;
    audit::append(
        tx,
        ctx,
        "window.create",
        "window",
        id,
        &json!({"center_id": center_id, "unit_id": unit_id, "name": name, "kind": kind}),
    )?;
    Ok(id)
}

pub fn windows(tx: &mut dyn Tx) -> Result<Vec<Window>> {
    Ok(tx.query(&format!("SELECT {WINDOW_COLS} FROM windows ORDER BY id"), &[])?.iter().map(window).collect())
}

pub fn window_by_id(tx: &mut dyn Tx, id: i64) -> Result<Option<Window>> {
    Ok(tx.query_one(&format!("SELECT {WINDOW_COLS} FROM windows WHERE id = $1"), params![id])?.as_ref().map(window))
}

/// ORG-4: the A and B of a post.
pub fn set_posts(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    window_id: i64,
    primary: Option<i64>,
    backup: Option<i64>,
) -> Result<bool> {
    let n = tx.exec(
        "UPDATE windows SET primary_id = $1, backup_id = $2 WHERE id = $3",
        params![primary, backup, window_id],
    )?;
    if n > 0 {
        audit::append(
            tx,
            ctx,
            "window.posts",
            "window",
            window_id,
            &json!({"primary_id": primary, "backup_id": backup}),
        )?;
    }
    Ok(n > 0)
}

/// ORG-4: mark A absent (work goes to B) or back.
pub fn set_absent(tx: &mut dyn Tx, ctx: &Ctx, window_id: i64, absent: bool) -> Result<bool> {
    let n = tx.exec("UPDATE windows SET primary_absent = $1 WHERE id = $2", params![absent, window_id])?;
    if n > 0 {
        audit::append(tx, ctx, "window.absence", "window", window_id, &json!({"primary_absent": absent}))?;
    }
    Ok(n > 0)
}

/// Each of `rows` with its center's chain (looked up once per center), for the callers' scope
/// checks.
pub fn with_chains<R, C: Into<Option<i64>>>(
    tx: &mut dyn Tx,
    rows: Vec<R>,
    center: impl Fn(&R) -> C,
) -> Result<Vec<(R, Vec<i64>)>> {
    let mut chains = Chains::default();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let chain = chains.of(tx, center(&r).into())?;
        out.push((r, chain));
    }
    Ok(out)
}

/// The center chains of a read's rows, each looked up once (for the one access decision).
#[derive(Default)]
pub struct Chains(std::collections::HashMap<i64, Vec<i64>>);

impl Chains {
    /// The chain of `center` (none for a row without a center).
    pub fn of(&mut self, tx: &mut dyn Tx, center: Option<i64>) -> Result<Vec<i64>> {
        let Some(c) = center else { return Ok(vec![]) };
        if let Some(ch) = self.0.get(&c) {
            return Ok(ch.clone());
        }
        let ch = center_chain(tx, c)?;
        self.0.insert(c, ch.clone());
        Ok(ch)
    }
}

/// The chain of centers from `id` up to the root: the center and its ancestors, nearest first,
/// in one query (at most 16 levels, so a loop in the parent links cannot run away).
pub fn center_chain(tx: &mut dyn Tx, id: i64) -> Result<Vec<i64>> {
    Ok(center_chain_and_region(tx, id)?.0)
}

/// The center's chain (as [`center_chain`]) and the center's own calendar region, one query.
pub fn center_chain_and_region(tx: &mut dyn Tx, id: i64) -> Result<(Vec<i64>, String)> {
    let rows = tx.query(
        "WITH RECURSIVE chain(id, parent_id, depth, region) AS (
           SELECT id, parent_id, 0, region FROM centers WHERE id = $1
           UNION ALL
           SELECT c.id, c.parent_id, chain.depth + 1, c.region FROM centers c JOIN chain ON c.id = chain.parent_id
           WHERE chain.depth < 16)
         SELECT id, region FROM chain ORDER BY depth",
        params![id],
    )?;
    let region = rows.first().map(|r| r.str(1)).unwrap_or_default();
    let mut out: Vec<i64> = Vec::with_capacity(rows.len());
    for r in rows {
        let c = r.i64(0);
        if out.contains(&c) {
            break;
        }
        out.push(c);
    }
    if out.is_empty() {
        out.push(id);
    }
    Ok((out, region))
}

pub fn place_of_center(tx: &mut dyn Tx, id: i64) -> Result<Place> {
    Ok(Place { centers: center_chain(tx, id)?, unit: None, window: None })
}

pub fn place_of_unit(tx: &mut dyn Tx, id: i64) -> Result<Option<Place>> {
    let Some(u) = unit_by_id(tx, id)? else {
        return Ok(None);
    };
    Ok(Some(Place { centers: center_chain(tx, u.center_id)?, unit: Some(id), window: None }))
}

pub fn place_of_window(tx: &mut dyn Tx, id: i64) -> Result<Option<Place>> {
    let Some(w) = window_by_id(tx, id)? else {
        return Ok(None);
    };
    Ok(Some(Place { centers: center_chain(tx, w.center_id)?, unit: w.unit_id, window: Some(id) }))
}

/// Where a scope points, to check that a grant names something that exists.
pub fn place_of_scope(tx: &mut dyn Tx, s: Scope) -> Result<Option<Place>> {
    match s.kind {
        // The center with its ancestors, so that a role at a parent center covers it.
        ScopeKind::Center => match center_by_id(tx, s.id)? {
            Some(_) => Ok(Some(place_of_center(tx, s.id)?)),
            None => Ok(None),
        },
        ScopeKind::Unit => place_of_unit(tx, s.id),
        ScopeKind::Window => place_of_window(tx, s.id),
    }
}

pub fn create_staff(tx: &mut dyn Tx, ctx: &Ctx, login: &str, name: &str, password_hash: &str) -> Result<i64> {
    let id = tx
        .insert(
            "INSERT INTO staff (login, name, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            params![login, name, password_hash, ctx.now.as_str()],
        )
        .map_err(|e| match e {
            StoreError::Unique(_) => StoreError::Duplicate(format!("登录名“{login}”已被使用")),
            e => e,
        })?;
    audit::append(tx, ctx, "staff.create", "staff", id, &json!({"login": login, "name": name}))?;
    Ok(id)
}

pub fn add_grant(tx: &mut dyn Tx, ctx: &Ctx, staff_id: i64, g: Grant) -> Result<()> {
    tx.exec(
        "INSERT INTO grants (staff_id, role, scope_kind, scope_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        params![staff_id, g.role.as_str(), g.scope.kind.as_str(), g.scope.id],
    )?;
    audit::append(tx, ctx, "staff.grant", "staff", staff_id, &json!({"role": g.role, "scope": g.scope}))
}

/// ORG-2: a role taken away (false when the person did not hold it).
pub fn remove_grant(tx: &mut dyn Tx, ctx: &Ctx, staff_id: i64, g: Grant) -> Result<bool> {
    let n = tx.exec(
        "DELETE FROM grants WHERE staff_id = $1 AND role = $2 AND scope_kind = $3 AND scope_id = $4",
        params![staff_id, g.role.as_str(), g.scope.kind.as_str(), g.scope.id],
    )?;
    if n > 0 {
        audit::append(tx, ctx, "staff.revoke", "staff", staff_id, &json!({"role": g.role, "scope": g.scope}))?;
    }
    Ok(n > 0)
}

/// ORG-2: a person's name as shown everywhere.
pub fn rename_staff(tx: &mut dyn Tx, ctx: &Ctx, staff_id: i64, name: &str) -> Result<bool> {
    let n = tx.exec("UPDATE staff SET name = $1 WHERE id = $2 AND name <> $1", params![name, staff_id])?;
    if n > 0 {
        audit::append(tx, ctx, "staff.rename", "staff", staff_id, &json!({"name": name}))?;
    }
    Ok(n > 0)
}

/// Ends every session of a person (their tokens stay, and stop working while they are inactive).
fn end_sessions(tx: &mut dyn Tx, staff_id: i64) -> Result<()> {
    tx.exec("DELETE FROM sessions WHERE staff_id = $1", params![staff_id])?;
    Ok(())
}

/// ORG-2: an account stopped (no login, no token, no session from now on) or started again.
pub fn set_active(tx: &mut dyn Tx, ctx: &Ctx, staff_id: i64, active: bool) -> Result<bool> {
    let n = tx.exec("UPDATE staff SET active = $1 WHERE id = $2 AND active <> $1", params![active as i64, staff_id])?;
    if n > 0 {
        if !active {
            end_sessions(tx, staff_id)?;
        }
        let what = if active { "staff.activate" } else { "staff.deactivate" };
        audit::append(tx, ctx, what, "staff", staff_id, &json!({}))?;
    }
    Ok(n > 0)
}

/// ORG-2: a password set by an administrator; the person's sessions end (the audit keeps no hash).
pub fn set_password(tx: &mut dyn Tx, ctx: &Ctx, staff_id: i64, password_hash: &str) -> Result<bool> {
    let n = tx.exec("UPDATE staff SET password_hash = $1 WHERE id = $2", params![password_hash, staff_id])?;
    if n > 0 {
        end_sessions(tx, staff_id)?;
        audit::append(tx, ctx, "staff.password_reset", "staff", staff_id, &json!({}))?;
    }
    Ok(n > 0)
}

pub fn grants(tx: &mut dyn Tx, staff_id: i64) -> Result<Vec<Grant>> {
    Ok(tx
        .query("SELECT role, scope_kind, scope_id FROM grants WHERE staff_id = $1 ORDER BY role", params![staff_id])?
        .iter()
        .filter_map(|r| {
            Some(Grant {
                role: Role::parse(&r.str(0))?,
                scope: Scope { kind: ScopeKind::parse(&r.str(1))?, id: r.i64(2) },
            })
        })
        .collect())
}

/// A staff member with their grants, in one query. `filter` is the SQL after `WHERE` that picks
/// the member (`$1` its one parameter), with `s` for staff and `t` for tokens when joined.
pub(crate) fn staff_with_grants_where(
    tx: &mut dyn Tx,
    from: &str,
    filter: &str,
    param: crate::Value,
) -> Result<Option<(Staff, Vec<Grant>)>> {
    // ORG-4: while A is marked absent, B of that post works it as its clerk — a grant that
    // lasts exactly as long as the absence (read with the others, so every access decision and
    // every list sees it).
    let rows = tx.query(
        &format!(
            "SELECT s.id, s.login, s.name, s.active, g.role, g.scope_kind, g.scope_id FROM {from}
             LEFT JOIN grants g ON g.staff_id = s.id WHERE {filter}
             UNION ALL
             SELECT s.id, s.login, s.name, s.active, 'clerk', 'window', w.id FROM {from}
             JOIN windows w ON w.backup_id = s.id AND w.primary_absent = 1 AND w.primary_id IS NOT NULL
             WHERE {filter}
             ORDER BY 5"
        ),
        &[param],
    )?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let staff = staff_row(first);
    let grants = rows
        .iter()
        .filter_map(|r| {
            Some(Grant {
                role: Role::parse(&r.opt_str(4)?)?,
                scope: Scope { kind: ScopeKind::parse(&r.str(5))?, id: r.i64(6) },
            })
        })
        .collect();
    Ok(Some((staff, grants)))
}

/// A staff member and their grants (one query).
pub fn staff_with_grants(tx: &mut dyn Tx, id: i64) -> Result<Option<(Staff, Vec<Grant>)>> {
    staff_with_grants_where(tx, "staff s", "s.id = $1", crate::Value::Int(id))
}

/// Every grant of every staff member, for the admin list.
pub fn all_grants(tx: &mut dyn Tx) -> Result<Vec<(i64, Grant)>> {
    Ok(tx
        .query("SELECT staff_id, role, scope_kind, scope_id FROM grants ORDER BY staff_id, role", &[])?
        .iter()
        .filter_map(|r| {
            Some((
                r.i64(0),
                Grant {
                    role: Role::parse(&r.str(1))?,
                    scope: Scope { kind: ScopeKind::parse(&r.str(2))?, id: r.i64(3) },
                },
            ))
        })
        .collect())
}

fn staff_row(r: &Row) -> Staff {
    Staff { id: r.i64(0), login: r.str(1), name: r.str(2), active: r.bool(3) }
}

pub fn staff(tx: &mut dyn Tx) -> Result<Vec<Staff>> {
    Ok(tx.query("SELECT id, login, name, active FROM staff ORDER BY id", &[])?.iter().map(staff_row).collect())
}

pub fn staff_by_id(tx: &mut dyn Tx, id: i64) -> Result<Option<Staff>> {
    Ok(tx.query_one("SELECT id, login, name, active FROM staff WHERE id = $1", params![id])?.as_ref().map(staff_row))
}

pub fn staff_by_login(tx: &mut dyn Tx, login: &str) -> Result<Option<(Staff, String)>> {
    Ok(tx
        .query_one("SELECT id, login, name, active, password_hash FROM staff WHERE login = $1", params![login])?
        .map(|r| (staff_row(&r), r.str(4))))
}

/// A staff member's e-mail address for the SMTP gateway ('' when none).
pub fn set_email(tx: &mut dyn Tx, ctx: &Ctx, staff_id: i64, email: &str) -> Result<bool> {
    let n = tx.exec("UPDATE staff SET email = $1 WHERE id = $2", params![email, staff_id])?;
    if n > 0 {
        audit::append(tx, ctx, "staff.email", "staff", staff_id, &json!({"email": email}))?;
    }
    Ok(n > 0)
}

pub fn email_of(tx: &mut dyn Tx, staff_id: i64) -> Result<Option<String>> {
    Ok(tx
        .query_one("SELECT email FROM staff WHERE id = $1", params![staff_id])?
        .map(|r| r.str(0))
        .filter(|e| !e.is_empty()))
}

/// The staff holding `role` exactly at `scope` (who hears of a missed deadline there).
pub fn holders(tx: &mut dyn Tx, role: Role, scope: Scope) -> Result<Vec<i64>> {
    Ok(tx
        .query(
            "SELECT staff_id FROM grants WHERE role = $1 AND scope_kind = $2 AND scope_id = $3 ORDER BY staff_id",
            params![role.as_str(), scope.kind.as_str(), scope.id],
        )?
        .iter()
        .map(|r| r.i64(0))
        .collect())
}

/// A center's address and phone numbers, as shown on guides and documents.
pub fn set_center_contact(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    center_id: i64,
    address: &str,
    hotline: &str,
    supervision_phone: &str,
) -> Result<()> {
    let n = tx.exec(
        "UPDATE centers SET address = $1, hotline = $2, supervision_phone = $3 WHERE id = $4",
        params![address, hotline, supervision_phone, center_id],
    )?;
    if n == 0 {
        return Err(StoreError::ForeignKey(format!("中心 {center_id}")));
    }
    audit::append(
        tx,
        ctx,
        "center.contact",
        "center",
        center_id,
        &json!({"address": address, "hotline": hotline, "supervision_phone": supervision_phone}),
    )
}

/// NV-17: where a refused applicant may turn — the review body and the court, with their time
/// limits (行政复议 within `review_days`, 行政诉讼 within `litigation_months`).
pub struct Remedies<'a> {
    pub review_body: &'a str,
    pub review_days: i64,
    pub court: &'a str,
    pub litigation_months: i64,
}

pub fn set_center_remedies(tx: &mut dyn Tx, ctx: &Ctx, center_id: i64, r: &Remedies) -> Result<()> {
    let n = tx.exec(
        "UPDATE centers SET review_body = $1, review_days = $2, court = $3, litigation_months = $4 WHERE id = $5",
        params![r.review_body, r.review_days, r.court, r.litigation_months, center_id],
    )?;
    if n == 0 {
        return Err(StoreError::ForeignKey(format!("中心 {center_id}")));
    }
    audit::append(
        tx,
        ctx,
        "center.remedies",
        "center",
        center_id,
        &json!({"review_body": r.review_body, "review_days": r.review_days, "court": r.court, "litigation_months": r.litigation_months}),
    )
}

/// ORG-4: whom `staff_id` covers now — the A of every post where they are B and A is marked
/// absent.
pub fn covered_by(tx: &mut dyn Tx, staff_id: i64) -> Result<Vec<i64>> {
    let mut out: Vec<i64> = tx
        .query(
            "SELECT primary_id FROM windows WHERE backup_id = $1 AND primary_absent = 1 AND primary_id IS NOT NULL ORDER BY id",
            params![staff_id],
        )?
        .iter()
        .map(|r| r.i64(0))
        .collect();
    out.dedup();
    Ok(out)
}

/// ORG-4: who stands in for `staff_id` now — the B of a post whose A is `staff_id` and is marked
/// absent (the first such post).
pub fn stand_in(tx: &mut dyn Tx, staff_id: i64) -> Result<Option<i64>> {
    Ok(tx
        .query_one(
            "SELECT backup_id FROM windows WHERE primary_id = $1 AND primary_absent = 1 AND backup_id IS NOT NULL
             ORDER BY id LIMIT 1",
            params![staff_id],
        )?
        .map(|r| r.i64(0)))
}

/// The active staff holding one of `roles` with a scope that covers `place` (the window, its
/// unit, or one of its centers).
pub fn holders_at(tx: &mut dyn Tx, roles: &[Role], place: &Place) -> Result<Vec<i64>> {
    let mut out = vec![];
    for role in roles {
        let mut params = vec![crate::Value::Text(role.as_str().into()), place.window.into(), place.unit.into()];
        let centers: Vec<String> = place
            .centers
            .iter()
            .map(|c| {
                params.push(crate::Value::Int(*c));
                format!("${}", params.len())
            })
            .collect();
        let in_centers =
            if centers.is_empty() { "FALSE".to_string() } else { format!("g.scope_id IN ({})", centers.join(", ")) };
        let rows = tx.query(
            &format!(
                "SELECT DISTINCT g.staff_id FROM grants g JOIN staff s ON s.id = g.staff_id
                 WHERE g.role = $1 AND s.active = 1 AND (
                   (g.scope_kind = 'window' AND g.scope_id = $2) OR (g.scope_kind = 'unit' AND g.scope_id = $3)
                   OR (g.scope_kind = 'center' AND {in_centers}))
                 ORDER BY g.staff_id"
            ),
            &params,
        )?;
        out.extend(rows.iter().map(|r| r.i64(0)));
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The names of these staff members, by id (unknown ids are left out).
pub fn staff_names(
    tx: &mut dyn Tx,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, String>> {
    // One read for a page's names (a list names up to hundreds of people), not one per person.
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let ids: Vec<crate::Value> = ids.into_iter().map(crate::Value::from).collect();
    Ok(crate::query_in(tx, "SELECT id, name FROM staff WHERE id IN ({in})", &ids)?
        .iter()
        .map(|r| (r.i64(0), r.str(1)))
        .collect())
}
