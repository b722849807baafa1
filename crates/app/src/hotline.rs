//! TC-8: the 12345 hotline (国办发〔2020〕53号). Its work orders (工单) arrive as complaints or,
//! when the caller says something still did not get done, as 办不成事 matters — each order once,
//! whatever imports it how often (the order number is a key, written in the same transaction as
//! the ticket) — and the replies go back in the hotline's layout for it to close its orders.
//!
//! The fields followed (a CSV or XLSX with this header row, or JSON with the English keys):
//!
//! | 工单编号 `order_no` | 受理时间 `received_at` | 诉求人 `caller` | 联系电话 `phone` |
//! | 诉求类型 `kind` (投诉 / 建议 / 求助 / 咨询 / 办不成事) | 问题分类 `category` | 诉求内容 `content` |
//! | 是否保密 `confidential` (是 / 否) |
//!
//! and back (回复单): 工单编号, 办理状态, 承办单位, 办理结果, 回复内容, 回复时间, 办结时间.

use crate::{App, Error, Principal, Result};
use noveto_domain::access::{Action, may_somewhere};
use noveto_domain::complaint::{Category, Channel, Complainant, Complaint, NewComplaint};
use noveto_domain::unresolved::{Class, NewUnresolved, Reporter, Unresolved};
use noveto_domain::validate::{Phone, long_text, text};
use noveto_store::StoreError;
use noveto_store::repo::complaints as repo;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One work order as the hotline sends it.
#[derive(Deserialize, JsonSchema, Clone, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct Order {
    pub order_no: String,
    #[serde(default)]
    pub received_at: Option<String>,
    pub caller: String,
    pub phone: String,
    /// 投诉, 建议, 求助, 咨询 — a complaint; 办不成事 — a 办不成事 matter.
    pub kind: String,
    #[serde(default)]
    pub category: Option<String>,
    pub content: String,
    #[serde(default)]
    pub confidential: bool,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrdersIn {
    pub orders: Vec<Order>,
    /// The center the orders are for (default: the root center).
    #[serde(default)]
    pub center_id: Option<i64>,
}

/// What became of one order.
#[derive(Serialize, Debug, Clone)]
pub struct Imported {
    pub order_no: String,
    /// `created`, `existing` (imported before: the same ticket) or `refused` (with the reason).
    pub result: &'static str,
    /// `complaint` or `unresolved`.
    pub entity: Option<String>,
    pub id: Option<i64>,
    pub receipt_no: Option<String>,
    pub error: Option<String>,
}

/// The header of the hotline's files, in order.
pub const ORDER_COLUMNS: [&str; 8] =
    ["工单编号", "受理时间", "诉求人", "联系电话", "诉求类型", "问题分类", "诉求内容", "是否保密"];

/// Reads a CSV or XLSX of work orders (header row as [`ORDER_COLUMNS`], columns in any order).
pub fn read_orders(bytes: &[u8]) -> Result<Vec<Order>> {
    let rows = crate::catalog_file::read_rows(bytes).map_err(|e| Error::bad("invalid_file", e))?;
    let header = &rows[0];
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let need = |name: &'static str| {
        col(name).ok_or_else(|| {
            Error::bad("invalid_header", format!("文件缺少“{name}”列：表头应为 {}", ORDER_COLUMNS.join("、")))
        })
    };
    let (no, caller, phone, kind, content) =
        (need("工单编号")?, need("诉求人")?, need("联系电话")?, need("诉求类型")?, need("诉求内容")?);
    let (at, cat, conf) = (col("受理时间"), col("问题分类"), col("是否保密"));
    let cell = |r: &Vec<String>, i: usize| r.get(i).map(|x| x.trim().to_string()).unwrap_or_default();
    Ok(rows[1..]
        .iter()
        .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
        .map(|r| Order {
            order_no: cell(r, no),
            received_at: at.map(|i| cell(r, i)).filter(|x| !x.is_empty()),
            caller: cell(r, caller),
            phone: cell(r, phone),
            kind: cell(r, kind),
            category: cat.map(|i| cell(r, i)).filter(|x| !x.is_empty()),
            content: cell(r, content),
            confidential: conf.is_some_and(|i| matches!(cell(r, i).as_str(), "是" | "1" | "true" | "保密")),
        })
        .collect())
}

/// The category a hotline's classification reads as.
fn category_of(o: &Order) -> Category {
    let c = format!("{} {}", o.category.as_deref().unwrap_or(""), o.kind);
    if c.contains("流程") || c.contains("材料") || c.contains("繁") {
        Category::Process
    } else if c.contains("效率") || c.contains("时限") || c.contains("拖") || c.contains("慢") {
        Category::Efficiency
    } else if c.contains("态度") || c.contains("作风") {
        Category::Attitude
    } else {
        Category::Other
    }
}

/// TC-8: imports work orders; an order imported before answers `existing` with the same ticket.
pub async fn import(s: &App, p: &Principal, b: OrdersIn) -> Result<Vec<Imported>> {
    if !may_somewhere(&p.grants, Action::SuperviseComplaint) {
        return Err(Error::forbidden("12345 工单由监督监察科导入"));
    }
    if b.orders.len() > 5000 {
        return Err(Error::bad("too_many", "一次最多导入 5000 张工单"));
    }
    let d = crate::org::directory(s).await?;
    let center = match b.center_id {
        Some(c) => d.centers.iter().find(|x| x.id == c),
        None => d.centers.iter().find(|x| x.parent_id.is_none()),
    }
    .ok_or_else(|| Error::bad("unknown_center", "所选中心不存在").at("center_id"))?
    .id;
    let (centers, _) = s.center_chain(center).await?;
    p.may(Action::SuperviseComplaint, &noveto_domain::access::Place { centers, unit: None, window: None })?;
    let desk = d.windows.iter().find(|w| w.kind == "unresolved_desk" && w.center_id == center).map(|w| w.id);
    let mut out = Vec::with_capacity(b.orders.len());
    for o in b.orders {
        out.push(match one(s, p, center, desk, &o).await {
            Ok(x) => x,
            Err(e) => Imported {
                order_no: o.order_no.clone(),
                result: "refused",
                entity: None,
                id: None,
                receipt_no: None,
                error: Some(e.message),
            },
        });
    }
    Ok(out)
}

async fn existing(s: &App, order: &str) -> Result<Option<Imported>> {
    let o = order.to_string();
    let found = s
        .store
        .read(move |tx| {
            let Some((entity, id)) = repo::hotline_order(tx, &o)? else { return Ok::<_, StoreError>(None) };
            let receipt = match entity.as_str() {
                "complaint" => repo::get(tx, id)?.map(|c| c.receipt_no.clone()),
                _ => noveto_store::repo::unresolved::get(tx, id)?.map(|u| u.receipt_no.clone()),
            };
            Ok(Some((entity, id, receipt)))
        })
        .await?;
    Ok(found.map(|(entity, id, receipt_no)| Imported {
        order_no: order.to_string(),
        result: "existing",
        entity: Some(entity),
        id: Some(id),
        receipt_no,
        error: None,
    }))
}

async fn one(s: &App, p: &Principal, center: i64, desk: Option<i64>, o: &Order) -> Result<Imported> {
    let order = text("order_no", "工单编号", &o.order_no, 40)?;
    if let Some(x) = existing(s, &order).await? {
        return Ok(x);
    }
    let name = text("caller", "诉求人", &o.caller, 50)?;
    let phone = Phone::parse(&o.phone)?;
    let mut content = long_text("content", "诉求内容", &o.content, 2000)?;
    if let Some(at) = &o.received_at {
        content = format!("{content}（12345 受理时间：{}）", at.chars().take(40).collect::<String>());
    }
    let key = order.clone();
    let written = if o.kind.contains("办不成") {
        let n = NewUnresolved {
            center_id: center,
            desk_id: desk,
            reporter: Reporter { name, phone: phone.as_str().into() },
            summary: format!("12345 工单 {order}：{content}"),
            case_id: None,
            class: Class::General,
            fallback: None,
        };
        crate::tickets::open_with::<Unresolved>(s, Some(p.id), center, n, move |tx, ctx, t| {
            repo::put_hotline_order(tx, ctx, &key, "unresolved", t.id)
        })
        .await
        .map(|t| ("unresolved", t.id, t.receipt_no.clone()))
    } else {
        let n = NewComplaint {
            center_id: center,
            window_id: None,
            about_unit: None,
            channel: Channel::Hotline12345,
            category: category_of(o),
            content,
            complainant: Complainant { name, phone: phone.as_str().into() },
            confidential: o.confidential,
            hotline_order: Some(order.clone()),
        };
        crate::tickets::open_with::<Complaint>(s, Some(p.id), center, n, move |tx, ctx, t| {
            repo::put_hotline_order(tx, ctx, &key, "complaint", t.id)
        })
        .await
        .map(|t| ("complaint", t.id, t.receipt_no.clone()))
    };
    match written {
        Ok((entity, id, receipt)) => Ok(Imported {
            order_no: order,
            result: "created",
            entity: Some(entity.into()),
            id: Some(id),
            receipt_no: Some(receipt),
            error: None,
        }),
        // Another import of the same order got there first: the same ticket.
        Err(e) if e.code == "duplicate" || e.code == "conflict" => existing(s, &order).await?.ok_or(e),
        Err(e) => Err(e),
    }
}

/// TC-8: one reply in the hotline's layout.
#[derive(Serialize, Debug)]
pub struct Reply {
    pub order_no: String,
    pub status: &'static str,
    pub unit: String,
    pub result: String,
    pub reply: String,
    pub replied_at: String,
    pub closed_at: String,
}

pub const REPLY_COLUMNS: [&str; 7] =
    ["工单编号", "办理状态", "承办单位", "办理结果", "回复内容", "回复时间", "办结时间"];

/// TC-8: the replies to every imported order the caller may read.
pub async fn replies(s: &App, p: &Principal) -> Result<Vec<Reply>> {
    if !may_somewhere(&p.grants, Action::SuperviseComplaint) {
        return Err(Error::forbidden("12345 工单回复由监督监察科导出"));
    }
    let orders = s.store.read(repo::hotline_orders).await?;
    let d = crate::org::directory(s).await?;
    let unit = |id: Option<i64>| {
        id.and_then(|u| d.units.iter().find(|x| x.id == u)).map(|u| u.name.clone()).unwrap_or_default()
    };
    let time = |t: &Option<chrono::DateTime<chrono::FixedOffset>>| {
        t.map(|t| t.with_timezone(&noveto_domain::time::shanghai()).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    let mut out = vec![];
    for (order_no, entity, id) in orders {
        if entity == "complaint" {
            let Ok(c) = crate::complaints::get(s, p, id).await else { continue };
            out.push(Reply {
                order_no,
                status: if c.status.is_open() { "办理中" } else { "已办结" },
                unit: unit(c.lead),
                result: c.opinion.clone().unwrap_or_default(),
                reply: c.reply.clone().unwrap_or_default(),
                replied_at: time(&c.replied_at),
                closed_at: time(&c.closed_at),
            });
        } else {
            let Ok(u) = crate::unresolved::get(s, p, id).await else { continue };
            out.push(Reply {
                order_no,
                status: if u.status.is_open() { "办理中" } else { "已办结" },
                unit: unit(u.unit_id),
                result: u.status.label().into(),
                reply: u.result.clone().unwrap_or_default(),
                replied_at: time(&u.answered_at),
                closed_at: time(&u.closed_at),
            });
        }
    }
    Ok(out)
}

/// The replies as the hotline's file (CSV or XLSX).
pub fn replies_file(r: &[Reply], format: crate::catalog::Format) -> Result<Vec<u8>> {
    let rows: Vec<Vec<String>> = r
        .iter()
        .map(|x| {
            vec![
                x.order_no.clone(),
                x.status.into(),
                x.unit.clone(),
                x.result.clone(),
                x.reply.clone(),
                x.replied_at.clone(),
                x.closed_at.clone(),
            ]
        })
        .collect();
    crate::catalog_file::table("12345工单回复", &REPLY_COLUMNS, &rows, format == crate::catalog::Format::Xlsx)
        .map_err(|e| Error::bad("export_failed", e))
}
