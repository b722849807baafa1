//! Organization routes (ORG-1 … ORG-4).

use crate::AppState;
use crate::auth::{Principal, hash_password};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use noveto_domain::access::{Action, Grant, Place, Role, Scope, ScopeKind, may_somewhere};
use noveto_domain::validate::text;
use noveto_store::StoreError;
use noveto_store::repo::{audit, org};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

type Created = (StatusCode, Json<Value>);

pub async fn me(p: Principal) -> Json<Value> {
    Json(json!({"id": p.id, "login": p.login, "name": p.name, "roles": p.grants}))
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

async fn place_of_center(s: &AppState, id: i64) -> ApiResult<Place> {
    let found = s.store.read(move |tx| Ok::<_, StoreError>(org::center_by_id(tx, id)?.is_some())).await?;
    if !found {
        return Err(ApiError::bad("unknown_center", format!("中心 {id} 不存在")));
    }
    Ok(s.store.read(move |tx| org::place_of_center(tx, id)).await?)
}

pub async fn create_center(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<CenterIn>,
) -> ApiResult<Created> {
    let name = text("name", "中心名称", &b.name, 60)?;
    match b.parent_id {
        Some(parent) => p.may(Action::ManageOrg, &place_of_center(&s, parent).await?)?,
        None if may_somewhere(&p.grants, Action::ManageOrg) => {}
        None => {
            return Err(ApiError::forbidden("无权创建顶级中心：只有系统管理员可以创建"));
        }
    }
    let level = b.level.unwrap_or_else(|| if b.parent_id.is_some() { "county".into() } else { "city".into() });
    if !["city", "county", "town"].contains(&level.as_str()) {
        return Err(ApiError::bad("invalid_level", "level 须为 city、county 或 town"));
    }
    let ctx = p.ctx(&s.now_str());
    let (address, hotline, sup) =
        (b.address.unwrap_or_default(), b.hotline.unwrap_or_default(), b.supervision_phone.unwrap_or_default());
    let (n2, l2, creator) = (name.clone(), level.clone(), p.id);
    let id = s
        .store
        .write(move |tx| {
            org::create_center(
                tx,
                &ctx,
                &org::NewCenter {
                    name: &n2,
                    parent_id: b.parent_id,
                    level: &l2,
                    address: &address,
                    hotline: &hotline,
                    supervision_phone: &sup,
                },
            )
            .and_then(|id| {
                // ORG-1: a new top-level center is covered by no existing scope; its creator
                // administers it (a grant of its own, audited like any other).
                if b.parent_id.is_none() {
                    let g = Grant { role: Role::Admin, scope: Scope { kind: ScopeKind::Center, id } };
                    org::add_grant(tx, &ctx, creator, g)?;
                }
                Ok(id)
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id, "name": name, "parent_id": b.parent_id, "level": level}))))
}

pub async fn list_centers(State(s): State<AppState>, _p: Principal) -> ApiResult<Json<Value>> {
    let v = s.store.read(org::centers).await?;
    Ok(Json(json!({"centers": v})))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitIn {
    pub center_id: i64,
    pub name: String,
}

pub async fn create_unit(State(s): State<AppState>, p: Principal, ApiJson(b): ApiJson<UnitIn>) -> ApiResult<Created> {
    let name = text("name", "单位名称", &b.name, 60)?;
    p.may(Action::ManageOrg, &place_of_center(&s, b.center_id).await?)?;
    let ctx = p.ctx(&s.now_str());
    let n2 = name.clone();
    let id = s.store.write(move |tx| org::create_unit(tx, &ctx, b.center_id, &n2)).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id, "center_id": b.center_id, "name": name}))))
}

pub async fn list_units(State(s): State<AppState>, _p: Principal) -> ApiResult<Json<Value>> {
    Ok(Json(json!({"units": s.store.read(org::units).await?})))
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

pub async fn create_window(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<WindowIn>,
) -> ApiResult<Created> {
    let name = text("name", "窗口名称", &b.name, 60)?;
    let kind = b.kind.unwrap_or_else(|| "window".into());
    if !org::WINDOW_KINDS.iter().any(|(k, _)| *k == kind) {
        return Err(ApiError::bad(
            "invalid_kind",
            "kind 须为 window、consultation_desk、unresolved_desk 或 complaint_window",
        ));
    }
    let (center_id, place) = match b.unit_id {
        Some(u) => {
            let unit = s.store.read(move |tx| org::unit_by_id(tx, u)).await?;
            let unit = unit.ok_or_else(|| ApiError::bad("unknown_unit", format!("单位 {u} 不存在")))?;
            (unit.center_id, s.store.read(move |tx| org::place_of_unit(tx, u)).await?.unwrap_or_default())
        }
        None => {
            let c = b.center_id.ok_or_else(|| {
                ApiError::bad("unit_or_center_required", "请填写 unit_id（业务窗口）或 center_id（专门服务台）")
            })?;
            (c, place_of_center(&s, c).await?)
        }
    };
    p.may(Action::ManageOrg, &place)?;
    let ctx = p.ctx(&s.now_str());
    let (n2, k2) = (name.clone(), kind.clone());
    let id = s.store.write(move |tx| org::create_window(tx, &ctx, center_id, b.unit_id, &n2, &k2)).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": id, "unit_id": b.unit_id, "center_id": center_id, "name": name, "kind": kind})),
    ))
}

pub async fn list_windows(State(s): State<AppState>, _p: Principal) -> ApiResult<Json<Value>> {
    Ok(Json(json!({"windows": s.store.read(org::windows).await?})))
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
pub fn parse_grant(r: &RoleIn) -> ApiResult<Grant> {
    let role = Role::parse(&r.role).ok_or_else(|| ApiError::bad("invalid_role", format!("未知角色“{}”", r.role)))?;
    let scope = match (r.scope.center_id, r.scope.unit_id, r.scope.window_id) {
        (Some(id), None, None) => Scope { kind: ScopeKind::Center, id },
        (None, Some(id), None) => Scope { kind: ScopeKind::Unit, id },
        (None, None, Some(id)) => Scope { kind: ScopeKind::Window, id },
        _ => {
            return Err(ApiError::bad("invalid_scope", "scope 须且只能填写 center_id、unit_id、window_id 之一"));
        }
    };
    if scope.kind != role.scope_kind() {
        let want = match role.scope_kind() {
            ScopeKind::Center => "center_id",
            ScopeKind::Unit => "unit_id",
            ScopeKind::Window => "window_id",
        };
        return Err(ApiError::bad("invalid_scope", format!("{}的范围须为 {want}", role.label())));
    }
    Ok(Grant { role, scope })
}

pub async fn create_staff(State(s): State<AppState>, p: Principal, ApiJson(b): ApiJson<StaffIn>) -> ApiResult<Created> {
    let login = text("login", "登录名", &b.login, 40)?;
    if !login.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
        return Err(ApiError::bad("invalid_login", "登录名只能包含字母、数字和 . _ -"));
    }
    let name = text("name", "姓名", &b.name, 40)?;
    noveto_domain::validate::password(&b.login, &b.password)?;
    if b.roles.is_empty() {
        return Err(ApiError::bad("roles_required", "请至少分配一个角色"));
    }
    let grants: Vec<Grant> = b.roles.iter().map(parse_grant).collect::<ApiResult<_>>()?;
    let email = b.email.as_deref().map(str::trim).unwrap_or("").to_string();
    if !email.is_empty() && (email.len() > 120 || !email.contains('@') || email.contains(char::is_whitespace)) {
        return Err(ApiError::bad("invalid_email", "电子邮箱格式不正确"));
    }
    for g in &grants {
        let scope = g.scope;
        let place = s.store.read(move |tx| org::place_of_scope(tx, scope)).await?;
        let place = place.ok_or_else(|| ApiError::bad("unknown_scope", "角色范围所指的中心、单位或窗口不存在"))?;
        p.may(Action::ManageOrg, &place)?;
    }
    let pw = b.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&pw)).await.map_err(|_| ApiError::internal())?;
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
    Ok((StatusCode::CREATED, Json(json!({"id": id, "login": login, "name": name, "roles": grants}))))
}

/// The staff an administrator may see, each with their roles: a person is listed when one of
/// their roles lies where the caller administers; a person with no role yet, to administrators
/// of a top-level center only. The API list and the admin page both read this.
pub async fn visible_staff(s: &AppState, p: &Principal) -> ApiResult<Vec<(org::Staff, Vec<Grant>)>> {
    if !may_somewhere(&p.grants, Action::ManageOrg) {
        return Err(ApiError::forbidden("无权查看工作人员名单：只有系统管理员可以查看"));
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

pub async fn list_staff(State(s): State<AppState>, p: Principal) -> ApiResult<Json<Value>> {
    let list: Vec<Value> = visible_staff(&s, &p)
        .await?
        .into_iter()
        .map(
            |(st, roles)| json!({"id": st.id, "login": st.login, "name": st.name, "active": st.active, "roles": roles}),
        )
        .collect();
    Ok(Json(json!({"staff": list})))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LiaisonIn {
    pub leader_id: i64,
    pub contact_id: i64,
}

async fn staff_exists(s: &AppState, id: i64) -> ApiResult<()> {
    let found = s.store.read(move |tx| org::staff_by_id(tx, id)).await?;
    found.map(|_| ()).ok_or_else(|| ApiError::bad("unknown_staff", format!("工作人员 {id} 不存在")))
}

pub async fn set_liaison(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<LiaisonIn>,
) -> ApiResult<Json<Value>> {
    let place = s.store.read(move |tx| org::place_of_unit(tx, id)).await?.ok_or_else(|| ApiError::not_found("单位"))?;
    p.may(Action::ManageOrg, &place)?;
    staff_exists(&s, b.leader_id).await?;
    staff_exists(&s, b.contact_id).await?;
    let ctx = p.ctx(&s.now_str());
    s.store.write(move |tx| org::set_liaison(tx, &ctx, id, b.leader_id, b.contact_id)).await?;
    Ok(Json(json!({"unit_id": id, "leader_id": b.leader_id, "contact_id": b.contact_id})))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostsIn {
    pub primary_id: Option<i64>,
    pub backup_id: Option<i64>,
}

pub async fn set_posts(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PostsIn>,
) -> ApiResult<Json<Value>> {
    let place =
        s.store.read(move |tx| org::place_of_window(tx, id)).await?.ok_or_else(|| ApiError::not_found("窗口"))?;
    p.may(Action::ManageOrg, &place)?;
    for sid in [b.primary_id, b.backup_id].into_iter().flatten() {
        staff_exists(&s, sid).await?;
    }
    if b.primary_id.is_some() && b.primary_id == b.backup_id {
        return Err(ApiError::bad("same_person", "A 岗与 B 岗不能是同一人"));
    }
    let ctx = p.ctx(&s.now_str());
    s.store.write(move |tx| org::set_posts(tx, &ctx, id, b.primary_id, b.backup_id)).await?;
    Ok(Json(json!({"window_id": id, "primary_id": b.primary_id, "backup_id": b.backup_id})))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AbsenceIn {
    pub absent: bool,
}

pub async fn set_absence(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AbsenceIn>,
) -> ApiResult<Json<Value>> {
    let place =
        s.store.read(move |tx| org::place_of_window(tx, id)).await?.ok_or_else(|| ApiError::not_found("窗口"))?;
    p.may(Action::SetAbsence, &place)?;
    let ctx = p.ctx(&s.now_str());
    s.store.write(move |tx| org::set_absent(tx, &ctx, id, b.absent)).await?;
    let w = s.store.read(move |tx| org::window_by_id(tx, id)).await?.ok_or_else(|| ApiError::not_found("窗口"))?;
    Ok(Json(json!({"window_id": id, "primary_absent": w.primary_absent, "on_duty": w.on_duty()})))
}

pub async fn audit_verify(State(s): State<AppState>, p: Principal) -> ApiResult<Json<Value>> {
    if !may_somewhere(&p.grants, Action::ReadAudit) {
        return Err(ApiError::forbidden("无权查看审计链"));
    }
    // With the server's audit key (set by `serve` from DIR/audit.key or NOVETO_AUDIT_KEY), each
    // entry's signature is checked too, as `noveto audit verify` does.
    let key = s.store.audit_key();
    let keyed_from = key.as_ref().map(|k| k.from_seq);
    let verifier = key.map(noveto_domain::audit::Verifier::keyed).unwrap_or_default();
    match s.store.read(move |tx| audit::verify_with(tx, verifier)).await? {
        Ok(n) => Ok(Json(json!({"intact": true, "entries": n, "keyed_from": keyed_from}))),
        Err(b) => Ok(Json(json!({"intact": false, "first_broken": b, "keyed_from": keyed_from}))),
    }
}
