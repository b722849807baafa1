//! The organisation (ORG-1 … ORG-4): centers, units, windows and desks, staff and their scoped
//! roles, the liaison table, AB posts. Every change is made here, by someone who administers
//! the place it touches; the API and the admin pages call these.

use crate::{App, Error, Principal, Result};
use noveto_domain::access::{Action, Grant, Place, Role, Scope, ScopeKind, may_somewhere};
use noveto_domain::audit::{Break, Verifier};
use noveto_domain::validate::text;
use noveto_store::StoreError;
use noveto_store::repo::{audit, org};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An argon2id hash of a password (staff passwords are stored only so).
pub fn hash_password(pw: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2::Argon2::default().hash_password(pw.as_bytes(), &salt).map(|h| h.to_string()).unwrap_or_default()
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CenterIn {
    pub name: String,
    pub parent_id: Option<i64>,
    /// `city` (市), `county` (县/区), `town` (乡镇便民服务中心)
    pub level: Option<String>,
    pub address: Option<String>,
    pub hotline: Option<String>,
    pub supervision_phone: Option<String>,
    /// The region whose local calendar overrides apply (CAL-1); empty for none.
    pub region: Option<String>,
}

/// A center as created.
pub struct CenterCreated {
    pub id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
    pub level: String,
}

/// The place of an existing center (its chain of centers).
pub async fn place_of_center(s: &App, id: i64) -> Result<Place> {
    let found = s.store.read(move |tx| Ok::<_, StoreError>(org::center_by_id(tx, id)?.is_some())).await?;
    if !found {
        return Err(Error::bad("unknown_center", format!("中心 {id} 不存在")));
    }
    Ok(s.store.read(move |tx| org::place_of_center(tx, id)).await?)
}

/// ORG-1: a center under a parent the caller administers, or a top-level one by an
/// administrator — who then administers it (an audited grant of its own).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemediesIn {
    /// The body that hears an administrative review (行政复议) of a refusal made here, e.g.
    /// 清江市人民政府.
    pub review_body: String,
    /// Days to apply for review (行政复议法: 60).
    #[serde(default = "sixty")]
    pub review_days: i64,
    /// The court for an administrative suit (行政诉讼).
    pub court: String,
    /// Months to sue (行政诉讼法: 6).
    #[serde(default = "six")]
    pub litigation_months: i64,
}

fn sixty() -> i64 {
    60
}
fn six() -> i64 {
    6
}

/// NV-17: where a refused applicant at this center may turn — printed on the refusal notice and
/// shown on /follow. By the center's administrator.
pub async fn set_remedies(s: &App, p: &Principal, center_id: i64, b: RemediesIn) -> Result<()> {
    p.may(Action::ManageOrg, &place_of_center(s, center_id).await?)?;
    let review_body = text("review_body", "行政复议机关", &b.review_body, 100)?;
    let court = text("court", "人民法院", &b.court, 100)?;
    if !(15..=365).contains(&b.review_days) {
        return Err(
            Error::bad("invalid_days", "申请行政复议的期限应在 15 到 365 日之间（法定 60 日）").at("review_days")
        );
    }
    if !(1..=24).contains(&b.litigation_months) {
        return Err(Error::bad("invalid_months", "提起行政诉讼的期限应在 1 到 24 个月之间（法定 6 个月）")
            .at("litigation_months"));
    }
    let ctx = p.ctx(&s.now_str());
    let (days, months) = (b.review_days, b.litigation_months);
    s.store
        .write(move |tx| {
            org::set_center_remedies(
                tx,
                &ctx,
                center_id,
                &org::Remedies {
                    review_body: &review_body,
                    review_days: days,
                    court: &court,
                    litigation_months: months,
                },
            )
        })
        .await?;
    Ok(())
}

pub async fn create_center(s: &App, p: &Principal, b: CenterIn) -> Result<CenterCreated> {
    let name = text("name", "中心名称", &b.name, 60)?;
    match b.parent_id {
        Some(parent) => p.may(Action::ManageOrg, &place_of_center(s, parent).await?)?,
        None if may_somewhere(&p.grants, Action::ManageOrg) => {}
        None => return Err(Error::forbidden("无权创建顶级中心：只有系统管理员可以创建")),
    }
    let level = b.level.unwrap_or_else(|| if b.parent_id.is_some() { "county".into() } else { "city".into() });
    if !["city", "county", "town"].contains(&level.as_str()) {
        return Err(Error::bad("invalid_level", "level 须为 city、county 或 town"));
    }
    let ctx = p.ctx(&s.now_str());
    let (address, hotline, sup) =
        (b.address.unwrap_or_default(), b.hotline.unwrap_or_default(), b.supervision_phone.unwrap_or_default());
    let (n2, l2, creator, parent_id) = (name.clone(), level.clone(), p.id, b.parent_id);
    let id = s
        .store
        .write(move |tx| {
            let id = org::create_center(
                tx,
                &ctx,
                &org::NewCenter {
                    name: &n2,
                    parent_id,
                    level: &l2,
                    address: &address,
                    hotline: &hotline,
                    supervision_phone: &sup,
                },
            )?;
            if parent_id.is_none() {
                let g = Grant { role: Role::Admin, scope: Scope { kind: ScopeKind::Center, id } };
                org::add_grant(tx, &ctx, creator, g)?;
            }
            Ok::<_, StoreError>(id)
        })
        .await?;
    Ok(CenterCreated { id, name, parent_id, level })
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitIn {
    pub center_id: i64,
    pub name: String,
}

/// ORG-1: a unit at a center the caller administers; its id and name.
pub async fn create_unit(s: &App, p: &Principal, b: UnitIn) -> Result<(i64, String)> {
    let name = text("name", "单位名称", &b.name, 60)?;
    p.may(Action::ManageOrg, &place_of_center(s, b.center_id).await?)?;
    let ctx = p.ctx(&s.now_str());
    let n2 = name.clone();
    let id = s.store.write(move |tx| org::create_unit(tx, &ctx, b.center_id, &n2)).await?;
    Ok((id, name))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowIn {
    /// The unit the window belongs to; omit for a center's special desk.
    pub unit_id: Option<i64>,
    /// Required for a special desk without a unit.
    pub center_id: Option<i64>,
    pub name: String,
    /// `window` (default), `consultation_desk`, `unresolved_desk`, `complaint_window`
    pub kind: Option<String>,
}

/// A window or desk as created.
pub struct WindowCreated {
    pub id: i64,
    pub unit_id: Option<i64>,
    pub center_id: i64,
    pub name: String,
    pub kind: String,
}

/// ORG-1: a unit's window, or a center's special desk.
pub async fn create_window(s: &App, p: &Principal, b: WindowIn) -> Result<WindowCreated> {
    let name = text("name", "窗口名称", &b.name, 60)?;
    let kind = b.kind.unwrap_or_else(|| "window".into());
    if !org::WINDOW_KINDS.iter().any(|(k, _)| *k == kind) {
        return Err(Error::bad(
            "invalid_kind",
            "kind 须为 window、consultation_desk、unresolved_desk 或 complaint_window",
        ));
    }
    let (center_id, place) = match b.unit_id {
        Some(u) => {
            let unit = s.store.read(move |tx| org::unit_by_id(tx, u)).await?;
            let unit = unit.ok_or_else(|| Error::bad("unknown_unit", format!("单位 {u} 不存在")))?;
            (unit.center_id, s.store.read(move |tx| org::place_of_unit(tx, u)).await?.unwrap_or_default())
        }
        None => {
            let c = b.center_id.ok_or_else(|| {
                Error::bad("unit_or_center_required", "请填写 unit_id（业务窗口）或 center_id（专门服务台）")
            })?;
            (c, place_of_center(s, c).await?)
        }
    };
    p.may(Action::ManageOrg, &place)?;
    let ctx = p.ctx(&s.now_str());
    let (n2, k2, unit_id) = (name.clone(), kind.clone(), b.unit_id);
    let id = s.store.write(move |tx| org::create_window(tx, &ctx, center_id, unit_id, &n2, &k2)).await?;
    Ok(WindowCreated { id, unit_id, center_id, name, kind })
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeIn {
    pub center_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleIn {
    /// clerk, window_head, hall_manager, unit_leader, unit_head, business_section, supervision,
    /// director, oversight, admin
    pub role: String,
    pub scope: ScopeIn,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffIn {
    pub login: String,
    pub name: String,
    pub password: String,
    pub roles: Vec<RoleIn>,
    /// For reminders by e-mail (SMTP gateway).
    pub email: Option<String>,
}

/// Parses a role and its scope; the scope must be of the kind the role is held at.
pub fn parse_grant(r: &RoleIn) -> Result<Grant> {
    let role = Role::parse(&r.role).ok_or_else(|| Error::bad("invalid_role", format!("未知角色“{}”", r.role)))?;
    let scope = match (r.scope.center_id, r.scope.unit_id, r.scope.window_id) {
        (Some(id), None, None) => Scope { kind: ScopeKind::Center, id },
        (None, Some(id), None) => Scope { kind: ScopeKind::Unit, id },
        (None, None, Some(id)) => Scope { kind: ScopeKind::Window, id },
        _ => return Err(Error::bad("invalid_scope", "scope 须且只能填写 center_id、unit_id、window_id 之一")),
    };
    if scope.kind != role.scope_kind() {
        let want = match role.scope_kind() {
            ScopeKind::Center => "center_id",
            ScopeKind::Unit => "unit_id",
            ScopeKind::Window => "window_id",
        };
        return Err(Error::bad("invalid_scope", format!("{}的范围须为 {want}", role.label())));
    }
    Ok(Grant { role, scope })
}

/// A staff member as created.
pub struct StaffCreated {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub grants: Vec<Grant>,
}

/// ORG-2: a new person as typed — login, name, password, roles, e-mail — or everything wrong
/// with it at once, each error with its field (the form shows them all beside their fields).
pub fn check_staff(b: &StaffIn) -> std::result::Result<(String, String, Vec<Grant>, String), Vec<Error>> {
    let mut errs: Vec<Error> = vec![];
    let login = text("login", "登录名", &b.login, 40).map_err(|e| errs.push(e.into())).unwrap_or_default();
    if !login.is_empty() && !login.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
        errs.push(Error::bad("invalid_login", "登录名只能包含字母、数字和 . _ -").at("login"));
    }
    let name = text("name", "姓名", &b.name, 40).map_err(|e| errs.push(e.into())).unwrap_or_default();
    if let Err(e) = noveto_domain::validate::password(&b.login, &b.password) {
        errs.push(Error::from(e).at("password"));
    }
    if b.roles.is_empty() {
        errs.push(Error::bad("roles_required", "请至少分配一个角色").at("role"));
    }
    let mut grants = vec![];
    for r in &b.roles {
        match parse_grant(r) {
            Ok(g) => grants.push(g),
            Err(e) => errs.push(e),
        }
    }
    let email = b.email.as_deref().map(str::trim).unwrap_or("").to_string();
    if !email.is_empty() && (email.len() > 120 || !email.contains('@') || email.contains(char::is_whitespace)) {
        errs.push(Error::bad("invalid_email", "电子邮箱格式不正确").at("email"));
    }
    if errs.is_empty() { Ok((login, name, grants, email)) } else { Err(errs) }
}

/// ORG-2: a staff member with roles, each at a place the caller administers.
pub async fn create_staff(s: &App, p: &Principal, b: StaffIn) -> Result<StaffCreated> {
    let (login, name, grants, email) = check_staff(&b).map_err(|mut e| e.swap_remove(0))?;
    for g in &grants {
        let scope = g.scope;
        let place = s.store.read(move |tx| org::place_of_scope(tx, scope)).await?;
        let place = place.ok_or_else(|| Error::bad("unknown_scope", "角色范围所指的中心、单位或窗口不存在"))?;
        p.may(Action::ManageOrg, &place)?;
    }
    let pw = b.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&pw)).await.map_err(|_| Error::internal())?;
    let ctx = p.ctx(&s.now_str());
    let (l2, n2, g2) = (login.clone(), name.clone(), grants.clone());
    let id = s
        .store
        .write(move |tx| {
            let id = org::create_staff(tx, &ctx, &l2, &n2, &hash)?;
            for g in g2 {
                org::add_grant(tx, &ctx, id, g)?;
            }
            if !email.is_empty() {
                org::set_email(tx, &ctx, id, &email)?;
            }
            Ok::<_, StoreError>(id)
        })
        .await?;
    Ok(StaffCreated { id, login, name, grants })
}

/// The staff an administrator may see, each with their roles: a person is listed when one of
/// their roles lies where the caller administers; a person with no role yet, to administrators
/// of a top-level center only. The API list and the admin page both read this.
pub async fn visible_staff(s: &App, p: &Principal) -> Result<Vec<(org::Staff, Vec<Grant>)>> {
    if !may_somewhere(&p.grants, Action::ManageOrg) {
        return Err(Error::forbidden("无权查看工作人员名单：只有系统管理员可以查看"));
    }
    let (staff, grants, places) = s
        .store
        .read(|tx| {
            let grants = org::all_grants(tx)?;
            let mut places = std::collections::HashMap::new();
            for (_, g) in &grants {
                if let std::collections::hash_map::Entry::Vacant(e) = places.entry((g.scope.kind, g.scope.id)) {
                    e.insert(org::place_of_scope(tx, g.scope)?);
                }
            }
            Ok::<_, StoreError>((org::staff(tx)?, grants, places))
        })
        .await?;
    let place = |g: &Grant| places.get(&(g.scope.kind, g.scope.id)).and_then(|p| p.as_ref());
    let manages = |g: &Grant| place(g).is_some_and(|pl| p.may(Action::ManageOrg, pl).is_ok());
    let top_level = p
        .grants
        .iter()
        .any(|g| g.scope.kind == ScopeKind::Center && place(g).is_some_and(|pl| pl.centers.len() == 1) && manages(g));
    Ok(staff
        .into_iter()
        .filter_map(|st| {
            let roles: Vec<Grant> = grants.iter().filter(|(id, _)| *id == st.id).map(|(_, g)| *g).collect();
            let visible = if roles.is_empty() { top_level } else { roles.iter().any(&manages) };
            visible.then_some((st, roles))
        })
        .collect())
}

#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct StaffUpdateIn {
    pub name: Option<String>,
    /// For reminders by e-mail; an empty string removes it.
    pub email: Option<String>,
    /// false stops the account at once (sessions end; tokens and logins are refused), true
    /// starts it again.
    pub active: Option<bool>,
    #[serde(default)]
    pub add_roles: Vec<RoleIn>,
    #[serde(default)]
    pub remove_roles: Vec<RoleIn>,
    /// A new password set by the administrator (the person's sessions end).
    pub password: Option<String>,
}

/// A staff member as an administrator reads them.
#[derive(Debug, Clone, Serialize)]
pub struct StaffView {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub active: bool,
    pub email: String,
    pub roles: Vec<Grant>,
}

/// ORG-2: one person, for an administrator who may manage them (one of their roles lies where
/// the caller administers; a person with none, a top-level administrator).
pub async fn staff_member(s: &App, p: &Principal, id: i64) -> Result<StaffView> {
    let visible = visible_staff(s, p).await?;
    let (st, roles) = visible.into_iter().find(|(st, _)| st.id == id).ok_or_else(|| Error::not_found("工作人员"))?;
    let email = s.store.read(move |tx| org::email_of(tx, id)).await?.unwrap_or_default();
    Ok(StaffView { id: st.id, login: st.login, name: st.name, active: st.active, email, roles })
}

/// ORG-2: changes a person — name, e-mail, roles added and taken away (each at a place the
/// caller administers), a password reset, the account stopped or started — in one write.
/// Nobody stops their own account or takes away their own administration; a person keeps at
/// least one role (one who no longer works here is stopped, not stripped).
pub async fn update_staff(s: &App, p: &Principal, id: i64, b: StaffUpdateIn) -> Result<StaffView> {
    let before = staff_member(s, p, id).await?;
    let name = match b.name.as_deref() {
        Some(n) => Some(text("name", "姓名", n, 40)?),
        None => None,
    };
    let email = b.email.as_deref().map(str::trim).map(String::from);
    if let Some(e) = email.as_deref().filter(|e| !e.is_empty())
        && (e.len() > 120 || !e.contains('@') || e.contains(char::is_whitespace))
    {
        return Err(Error::bad("invalid_email", "电子邮箱格式不正确").at("email"));
    }
    let add: Vec<Grant> =
        b.add_roles.iter().map(|r| parse_grant(r).map_err(|e| e.at("role"))).collect::<Result<_>>()?;
    let remove: Vec<Grant> =
        b.remove_roles.iter().map(|r| parse_grant(r).map_err(|e| e.at("role"))).collect::<Result<_>>()?;
    for g in add.iter().chain(&remove) {
        let scope = g.scope;
        let place = s.store.read(move |tx| org::place_of_scope(tx, scope)).await?;
        let place =
            place.ok_or_else(|| Error::bad("unknown_scope", "角色范围所指的中心、单位或窗口不存在").at("scope"))?;
        p.may(Action::ManageOrg, &place).map_err(|e| e.at("scope"))?;
    }
    if id == p.id {
        if b.active == Some(false) {
            return Err(Error::bad("self_deactivation", "不能停用自己的账号").at("active"));
        }
        if remove.iter().any(|g| g.role == Role::Admin) {
            return Err(Error::bad("self_demotion", "不能撤销自己的系统管理员角色，请由其他管理员办理").at("role"));
        }
    }
    let left = before.roles.iter().filter(|g| !remove.contains(g)).count()
        + add.iter().filter(|g| !before.roles.contains(g)).count();
    if left == 0 {
        return Err(Error::bad("roles_required", "至少保留一个角色；不再在岗的人员，请停用账号").at("role"));
    }
    let hash = match b.password.clone() {
        Some(pw) => {
            noveto_domain::validate::password(&before.login, &pw).map_err(|e| Error::from(e).at("password"))?;
            Some(tokio::task::spawn_blocking(move || hash_password(&pw)).await.map_err(|_| Error::internal())?)
        }
        None => None,
    };
    let ctx = p.ctx(&s.now_str());
    let active = b.active;
    s.store
        .write(move |tx| {
            if let Some(n) = &name {
                org::rename_staff(tx, &ctx, id, n)?;
            }
            if let Some(e) = &email {
                org::set_email(tx, &ctx, id, e)?;
            }
            for g in &remove {
                org::remove_grant(tx, &ctx, id, *g)?;
            }
            for g in &add {
                org::add_grant(tx, &ctx, id, *g)?;
            }
            if let Some(h) = &hash {
                org::set_password(tx, &ctx, id, h)?;
            }
            if let Some(a) = active {
                org::set_active(tx, &ctx, id, a)?;
            }
            Ok::<_, StoreError>(())
        })
        .await?;
    staff_member(s, p, id).await
}

async fn staff_exists(s: &App, id: i64) -> Result<()> {
    let found = s.store.read(move |tx| org::staff_by_id(tx, id)).await?;
    found.map(|_| ()).ok_or_else(|| Error::bad("unknown_staff", format!("工作人员 {id} 不存在")))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LiaisonIn {
    pub leader_id: i64,
    pub contact_id: i64,
}

/// ORG-3: a unit's leader in charge and contact person.
pub async fn set_liaison(s: &App, p: &Principal, unit_id: i64, b: LiaisonIn) -> Result<()> {
    let place =
        s.store.read(move |tx| org::place_of_unit(tx, unit_id)).await?.ok_or_else(|| Error::not_found("单位"))?;
    p.may(Action::ManageOrg, &place)?;
    staff_exists(s, b.leader_id).await?;
    staff_exists(s, b.contact_id).await?;
    // ORG-3: the unit's own people — its leader in charge (or head) and a contact who works in it.
    let (leader, contact) = (b.leader_id, b.contact_id);
    let (lg, cg, windows) = s
        .store
        .read(move |tx| Ok::<_, StoreError>((org::grants(tx, leader)?, org::grants(tx, contact)?, org::windows(tx)?)))
        .await?;
    let in_unit = |g: &noveto_domain::access::Grant| match g.scope.kind {
        ScopeKind::Unit => g.scope.id == unit_id,
        ScopeKind::Window => windows.iter().any(|w| w.id == g.scope.id && w.unit_id == Some(unit_id)),
        ScopeKind::Center => false,
    };
    if !lg.iter().any(|g| matches!(g.role, Role::UnitLeader | Role::UnitHead) && in_unit(g)) {
        return Err(Error::bad("not_of_unit", "分管领导须是本单位的分管领导或主要领导").at("leader_id"));
    }
    if !cg.iter().any(in_unit) {
        return Err(Error::bad("not_of_unit", "联系人须是本单位（或本单位窗口）的工作人员").at("contact_id"));
    }
    let ctx = p.ctx(&s.now_str());
    s.store.write(move |tx| org::set_liaison(tx, &ctx, unit_id, b.leader_id, b.contact_id)).await?;
    Ok(())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostsIn {
    pub primary_id: Option<i64>,
    pub backup_id: Option<i64>,
}

/// ORG-4: the A and B of a window's post (two people).
pub async fn set_posts(s: &App, p: &Principal, window_id: i64, b: PostsIn) -> Result<()> {
    let place =
        s.store.read(move |tx| org::place_of_window(tx, window_id)).await?.ok_or_else(|| Error::not_found("窗口"))?;
    p.may(Action::ManageOrg, &place)?;
    for sid in [b.primary_id, b.backup_id].into_iter().flatten() {
        staff_exists(s, sid).await?;
    }
    if b.primary_id.is_some() && b.primary_id == b.backup_id {
        return Err(Error::bad("same_person", "A 岗与 B 岗不能是同一人"));
    }
    let ctx = p.ctx(&s.now_str());
    s.store.write(move |tx| org::set_posts(tx, &ctx, window_id, b.primary_id, b.backup_id)).await?;
    Ok(())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AbsenceIn {
    pub absent: bool,
}

/// ORG-4: A marked absent or back; the window as it now stands (who is on duty).
pub async fn set_absence(s: &App, p: &Principal, window_id: i64, b: AbsenceIn) -> Result<org::Window> {
    let place =
        s.store.read(move |tx| org::place_of_window(tx, window_id)).await?.ok_or_else(|| Error::not_found("窗口"))?;
    p.may(Action::SetAbsence, &place)?;
    let ctx = p.ctx(&s.now_str());
    s.store.write(move |tx| org::set_absent(tx, &ctx, window_id, b.absent)).await?;
    s.store.read(move |tx| org::window_by_id(tx, window_id)).await?.ok_or_else(|| Error::not_found("窗口"))
}

/// The audit chain checked, with the store's audit key where it has one (each entry's
/// signature too): the entries checked or the first break, and the key's first entry.
pub async fn verify_audit(s: &App, p: &Principal) -> Result<(std::result::Result<u64, Break>, Option<i64>)> {
    if !may_somewhere(&p.grants, Action::ReadAudit) {
        return Err(Error::forbidden("无权查看审计链"));
    }
    let key = s.store.audit_key();
    let keyed_from = key.as_ref().map(|k| k.from_seq);
    let verifier = key.map(Verifier::keyed).unwrap_or_default();
    Ok((s.store.read(move |tx| audit::verify_with(tx, verifier)).await?, keyed_from))
}

/// NV-2: the closed cases whose negative ending lacks its proof (see
/// `repo::backup::unproven_endings`) — none, by construction; the check proves it on the data.
/// Each reader sees those of the centers where they may read the audit (a district's
/// administrator, the district's).
pub async fn unproven_endings(s: &App, p: &Principal) -> Result<Vec<(i64, String)>> {
    if !may_somewhere(&p.grants, Action::ReadAudit) {
        return Err(Error::forbidden("无权查看审计链"));
    }
    let mut centers = vec![];
    for c in directory(s).await?.centers {
        if p.may(Action::ReadAudit, &place_of_center(s, c.id).await?).is_ok() {
            centers.push(c.id);
        }
    }
    Ok(s.store.read(move |tx| noveto_store::repo::backup::unproven_endings_in(tx, Some(&centers))).await?)
}

/// The organisation as anyone may see it: centers, units and windows (the public guides, the
/// referral pickers, names on lists).
#[derive(Clone)]
pub struct Directory {
    pub centers: Vec<org::Center>,
    pub units: Vec<org::Unit>,
    pub windows: Vec<org::Window>,
}

/// People's names by id (for decisions, opinions and filings as people read them).
pub async fn names(s: &App, ids: Vec<i64>) -> Result<std::collections::HashMap<i64, String>> {
    // From the cache while the organisation is unchanged (see [`crate::cache`]); those not in it
    // in one read. A page whose people are all known reads nothing for their names.
    let g = s.store.org_generation();
    let mut out = std::collections::HashMap::new();
    let mut missing = vec![];
    for id in ids {
        match s.staff_names.get(&id, g) {
            Some(n) => {
                out.insert(id, n);
            }
            None => missing.push(id),
        }
    }
    missing.sort_unstable();
    missing.dedup();
    if !missing.is_empty() {
        for (id, n) in s.store.read(move |tx| org::staff_names(tx, missing)).await? {
            s.staff_names.put(id, g, n.clone());
            out.insert(id, n);
        }
    }
    Ok(out)
}

/// The directory, from the cache while the organisation is unchanged (see [`crate::cache`]).
pub async fn directory(s: &App) -> Result<Directory> {
    Ok((*shared_directory(s).await?).clone())
}

/// The cached directory itself (not a copy), for a lookup in it.
pub async fn shared_directory(s: &App) -> Result<std::sync::Arc<Directory>> {
    let g = s.store.org_generation();
    if let Some(d) = s.directory.get(&(), g) {
        return Ok(d);
    }
    let (centers, units, windows) =
        s.store.read(|tx| Ok::<_, StoreError>((org::centers(tx)?, org::units(tx)?, org::windows(tx)?))).await?;
    let d = std::sync::Arc::new(Directory { centers, units, windows });
    s.directory.put((), g, d.clone());
    Ok(d)
}

/// The places the caller's scopes reach (each queue's read asks for cases there), from the
/// cached directory.
pub async fn reach(s: &App, p: &Principal) -> Result<noveto_store::repo::cases::Reach> {
    let scopes: Vec<Scope> = p.grants.iter().map(|g| g.scope).collect();
    Ok(noveto_store::repo::cases::Reach::of(&shared_directory(s).await?.centers, &scopes))
}

/// NV-3: where a warm handoff lands — the target window, or every window of the target unit
/// and the unit itself. Whoever may work a case at one of these places receives it. Found in
/// the organisation kept in memory (the directory and the centers' chains), so a list of
/// handoffs costs no read per handoff.
pub async fn handoff_targets(s: &App, window: Option<i64>, unit: Option<i64>) -> Result<Vec<Place>> {
    let d = shared_directory(s).await?;
    let windows: Vec<&org::Window> = match (window, unit) {
        (Some(w), _) => d.windows.iter().filter(|x| x.id == w).collect(),
        (None, Some(u)) => d.windows.iter().filter(|x| x.unit_id == Some(u)).collect(),
        (None, None) => vec![],
    };
    let mut out = vec![];
    for w in windows {
        let (centers, _) = s.center_chain(w.center_id).await?;
        out.push(Place { centers, unit: w.unit_id, window: Some(w.id) });
    }
    if let (None, Some(u)) = (window, unit)
        && let Some(un) = d.units.iter().find(|x| x.id == u)
    {
        let (centers, _) = s.center_chain(un.center_id).await?;
        out.push(Place { centers, unit: Some(u), window: None });
    }
    Ok(out)
}

/// Staff names by id — for an administrator (who may manage the organisation).
pub async fn staff_directory(s: &App, p: &Principal) -> Result<Vec<org::Staff>> {
    if !may_somewhere(&p.grants, Action::ManageOrg) {
        return Err(Error::forbidden("无权查看工作人员名单：只有系统管理员可以查看"));
    }
    Ok(s.store.read(org::staff).await?)
}
