//! Organization routes (ORG-1 … ORG-4): handlers over `noveto_app::org` (re-exported here for
//! the admin pages).

pub use noveto_app::org::*;

use crate::AppState;
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

type Created = (StatusCode, Json<Value>);

pub async fn me(p: Principal) -> Json<Value> {
    Json(json!({"id": p.id, "login": p.login, "name": p.name, "roles": p.grants}))
}

pub async fn create_center(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<CenterIn>,
) -> ApiResult<Created> {
    let c = noveto_app::org::create_center(&s, &p, b).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": c.id, "name": c.name, "parent_id": c.parent_id, "level": c.level}))))
}

pub async fn list_centers(State(s): State<AppState>, _p: Principal) -> ApiResult<Json<Value>> {
    let v = noveto_app::org::directory(&s).await?.centers;
    Ok(Json(json!({"centers": v})))
}

pub async fn create_unit(State(s): State<AppState>, p: Principal, ApiJson(b): ApiJson<UnitIn>) -> ApiResult<Created> {
    let center_id = b.center_id;
    let (id, name) = noveto_app::org::create_unit(&s, &p, b).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id, "center_id": center_id, "name": name}))))
}

pub async fn list_units(State(s): State<AppState>, _p: Principal) -> ApiResult<Json<Value>> {
    Ok(Json(json!({"units": noveto_app::org::directory(&s).await?.units})))
}

pub async fn create_window(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<WindowIn>,
) -> ApiResult<Created> {
    let w = noveto_app::org::create_window(&s, &p, b).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": w.id, "unit_id": w.unit_id, "center_id": w.center_id, "name": w.name, "kind": w.kind})),
    ))
}

pub async fn list_windows(State(s): State<AppState>, _p: Principal) -> ApiResult<Json<Value>> {
    Ok(Json(json!({"windows": noveto_app::org::directory(&s).await?.windows})))
}

pub async fn create_staff(State(s): State<AppState>, p: Principal, ApiJson(b): ApiJson<StaffIn>) -> ApiResult<Created> {
    let c = noveto_app::org::create_staff(&s, &p, b).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": c.id, "login": c.login, "name": c.name, "roles": c.grants}))))
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

/// ORG-2: one person, for an administrator who may manage them.
pub async fn get_staff(State(s): State<AppState>, p: Principal, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<Value>> {
    Ok(Json(serde_json::to_value(noveto_app::org::staff_member(&s, &p, id).await?).unwrap_or_default()))
}

/// ORG-2: changes a person (name, e-mail, roles, password, stopped or started).
pub async fn update_staff(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<noveto_app::org::StaffUpdateIn>,
) -> ApiResult<Json<Value>> {
    Ok(Json(serde_json::to_value(noveto_app::org::update_staff(&s, &p, id, b).await?).unwrap_or_default()))
}

pub async fn set_liaison(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<LiaisonIn>,
) -> ApiResult<Json<Value>> {
    let (leader, contact) = (b.leader_id, b.contact_id);
    noveto_app::org::set_liaison(&s, &p, id, b).await?;
    Ok(Json(json!({"unit_id": id, "leader_id": leader, "contact_id": contact})))
}

pub async fn set_posts(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PostsIn>,
) -> ApiResult<Json<Value>> {
    let (primary, backup) = (b.primary_id, b.backup_id);
    noveto_app::org::set_posts(&s, &p, id, b).await?;
    Ok(Json(json!({"window_id": id, "primary_id": primary, "backup_id": backup})))
}

pub async fn set_absence(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AbsenceIn>,
) -> ApiResult<Json<Value>> {
    let w = noveto_app::org::set_absence(&s, &p, id, b).await?;
    Ok(Json(json!({"window_id": id, "primary_absent": w.primary_absent, "on_duty": w.on_duty()})))
}

pub async fn audit_verify(State(s): State<AppState>, p: Principal) -> ApiResult<Json<Value>> {
    // NV-2: and every negative ending has its proof.
    let endings: Vec<Value> = noveto_app::org::unproven_endings(&s, &p)
        .await?
        .into_iter()
        .map(|(case_id, problem)| json!({"case_id": case_id, "problem": problem}))
        .collect();
    match verify_audit(&s, &p).await? {
        (Ok(n), keyed_from) => {
            Ok(Json(json!({"intact": true, "entries": n, "keyed_from": keyed_from, "unproven_endings": endings})))
        }
        (Err(b), keyed_from) => {
            Ok(Json(json!({"intact": false, "first_broken": b, "keyed_from": keyed_from, "unproven_endings": endings})))
        }
    }
}

/// NV-17: a center's review body, court and time limits (the administrator).
pub async fn set_remedies(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<noveto_app::org::RemediesIn>,
) -> ApiResult<Json<Value>> {
    noveto_app::org::set_remedies(&s, &p, id, b).await?;
    Ok(Json(json!({"center_id": id, "saved": true})))
}
