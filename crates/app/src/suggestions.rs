//! FAQ-3: suggestions from companies and citizens, recorded at the window or from the opinion
//! box, judged by the business section and followed to the change that carried them out.
//! Load → authorize → decide (the domain's [`Suggestion`]) → one store write; every reader —
//! API, page, export — goes through [`visible`].

use crate::cases::load;
use crate::tickets::{self, AppTicket, Loaded, View};
use crate::{App, Error, Principal, Result};
use noveto_domain::access::{Action, Place, Relation, may_somewhere};
use noveto_domain::suggestion::{Change, Command, NewSuggestion, Offer, Source, Status, Suggestion, SuggestionError};
use noveto_domain::ticket::Decided;
use noveto_domain::validate::long_text;
use noveto_store::StoreError;
use noveto_store::repo::suggestions as repo;
use noveto_store::repo::{faq, items, org};
use schemars::JsonSchema;
use serde::Deserialize;

impl From<SuggestionError> for Error {
    fn from(e: SuggestionError) -> Error {
        match e {
            SuggestionError::AlreadyDecided(_) | SuggestionError::NotAdopted(_) => {
                Error::conflict(e.code(), e.to_string())
            }
            SuggestionError::NoText => Error { field: Some("text"), ..Error::bad(e.code(), e.to_string()) },
            SuggestionError::NoReason => Error { field: Some("note"), ..Error::bad(e.code(), e.to_string()) },
            SuggestionError::NoChange => Error { field: Some("title"), ..Error::bad(e.code(), e.to_string()) },
        }
    }
}

impl AppTicket for Suggestion {
    fn center_id(&self) -> i64 {
        self.center_id
    }
    fn receipt(&self) -> &str {
        ""
    }
    fn unit(&self) -> Option<i64> {
        self.unit_id
    }
    fn policy_ref(&self) -> (&str, u32) {
        ("", 0)
    }
    fn place(&self, centers: Vec<i64>) -> Place {
        Place { centers, unit: self.unit_id, window: self.window_id }
    }
    /// Whoever judges suggestions there works it (and sees the contact left in full).
    fn relation(&self, p: &Principal, l: &Loaded<Self>) -> Relation {
        Relation {
            works_it: p.may(Action::DecideSuggestion, &l.place).is_ok() || self.recorded_by == p.id,
            confidential: false,
        }
    }
    /// Its readers by role at its place, and (BBC-7) the contact it was sent to and whoever
    /// recorded it, who follow it.
    fn may_read(p: &Principal, l: &Loaded<Self>) -> Result<()> {
        if l.assignee == Some(p.id) || l.recorded_by == p.id {
            return Ok(());
        }
        p.may(Action::ReadSuggestions, &l.place).or_else(|_| p.may(Action::DecideSuggestion, &l.place))
    }
    fn authorize(p: &Principal, l: &Loaded<Self>, _a: Offer) -> Result<()> {
        p.may(Action::DecideSuggestion, &l.place)
    }
}

#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SuggestionIn {
    /// What was suggested, in the person's words.
    pub text: String,
    /// `window`, `opinion_box`, `online`, `phone` or `staff` (default `window`).
    pub source: Option<String>,
    /// How to reach the person (optional: the opinion box may be anonymous).
    pub contact: Option<String>,
    /// The consultation or application it came up in; its place is the suggestion's.
    pub case_id: Option<i64>,
    /// Where it belongs when not from a case: a window, a unit, or a center.
    pub window_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub center_id: Option<i64>,
    pub item_code: Option<String>,
}

/// Where a new suggestion belongs: its case's place, or the window, unit or center named, or
/// the recorder's own post when they hold one.
async fn place_for(s: &App, p: &Principal, b: &SuggestionIn) -> Result<(Place, Option<String>, Option<i64>)> {
    if let Some(c) = b.case_id {
        let l = load(s, p, c, Action::ReadCase).await?;
        return Ok((l.place, l.case.item_code.clone(), Some(c)));
    }
    let (w, u, c) = (b.window_id, b.unit_id, b.center_id);
    let place = s
        .store
        .read(move |tx| {
            Ok::<_, StoreError>(match (w, u, c) {
                (Some(w), _, _) => org::place_of_window(tx, w)?,
                (None, Some(u), _) => org::place_of_unit(tx, u)?,
                (None, None, Some(c)) => {
                    if org::center_by_id(tx, c)?.is_some() {
                        Some(org::place_of_center(tx, c)?)
                    } else {
                        None
                    }
                }
                (None, None, None) => None,
            })
        })
        .await?;
    match place {
        Some(pl) => Ok((pl, None, None)),
        None if w.is_some() || u.is_some() || c.is_some() => Err(Error {
            field: Some("unit_id"),
            ..Error::bad("unknown_place", "所选窗口、单位或中心不存在")
        }),
        None => {
            // The recorder's own post: the first grant that lets them record.
            let allowed = noveto_domain::access::roles_for(Action::RecordSuggestion);
            let Some(g) = p.grants.iter().find(|g| allowed.contains(&g.role)) else {
                return Err(Error::forbidden("无权登记意见建议"));
            };
            let scope = g.scope;
            let pl = s.store.read(move |tx| org::place_of_scope(tx, scope)).await?;
            pl.map(|pl| (pl, None, None)).ok_or_else(|| Error::bad("unknown_place", "请选择意见建议所属的单位"))
        }
    }
}

/// Records a suggestion; returns its id.
pub async fn record(s: &App, p: &Principal, b: SuggestionIn) -> Result<i64> {
    let text = long_text("text", "意见建议内容", &b.text, 2000)?;
    let contact = b.contact.clone().unwrap_or_default();
    if contact.chars().count() > 100 {
        return Err(Error { field: Some("contact"), ..Error::bad("too_long", "联系方式不能超过 100 个字") });
    }
    let source = match b.source.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        None => Source::Window,
        Some(x) => Source::parse(x).ok_or_else(|| Error {
            field: Some("source"),
            ..Error::bad("invalid_source", "来源须为窗口、意见箱、网上、电话或工作人员之一")
        })?,
    };
    let (place, case_item, case_id) = place_for(s, p, &b).await?;
    p.may(Action::RecordSuggestion, &place)?;
    let item_code = b.item_code.clone().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).or(case_item);
    if let Some(code) = item_code.clone() {
        let found = s.store.read(move |tx| items::get(tx, &code)).await?;
        if found.is_none() {
            return Err(Error { field: Some("item_code"), ..Error::bad("unknown_item", "事项编码不存在") });
        }
    }
    let center_id = *place.centers.first().ok_or_else(|| Error::bad("unknown_place", "意见建议须属于一个中心"))?;
    let n = NewSuggestion {
        center_id,
        unit_id: place.unit,
        item_code,
        case_id,
        source,
        text,
        contact,
        window_id: place.window,
        assignee: None,
    };
    Ok(tickets::open::<Suggestion>(s, Some(p.id), center_id, n).await?.id)
}

/// BBC-7: a bottleneck a 办不成事 matter showed, as a process-improvement suggestion of the unit
/// it went to, sent to its liaison contact (`to`), decided and ready to be written with the
/// command that found it.
pub(crate) async fn bottleneck(
    s: &App,
    p: &Principal,
    m: &Loaded<noveto_domain::unresolved::Unresolved>,
    text: &str,
    to: Option<i64>,
) -> Result<Decided<Suggestion>> {
    let n = NewSuggestion {
        center_id: m.center_id,
        unit_id: m.unit_id,
        item_code: None,
        case_id: m.case_id,
        source: Source::Staff,
        text: format!("办不成事反映 {} 暴露的流程堵点：{text}", m.receipt_no),
        contact: String::new(),
        window_id: None,
        assignee: to,
    };
    tickets::opened(s, Some(p.id), m.center_id, n).await
}

/// The suggestions the caller may read (in a state, if given), newest first: the one scoped
/// query behind the API, the page and the export.
pub async fn visible(s: &App, p: &Principal, status: Option<&str>) -> Result<Vec<View<Suggestion>>> {
    if !may_somewhere(&p.grants, Action::ReadSuggestions) && !may_somewhere(&p.grants, Action::RecordSuggestion) {
        return Err(Error::forbidden("无权查看意见建议"));
    }
    let st = match status.map(str::trim).filter(|x| !x.is_empty()) {
        None => None,
        Some(x) => Some(Status::parse(x).ok_or_else(|| Error::bad("invalid_status", "状态无效"))?),
    };
    let all = s.store.read(move |tx| repo::all_with_centers(tx, st)).await?;
    Ok(tickets::views(s, p, all))
}

/// One suggestion the caller may read.
pub async fn get(s: &App, p: &Principal, id: i64) -> Result<View<Suggestion>> {
    let l = tickets::load::<Suggestion>(s, id).await?;
    tickets::view(s, p, &l)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    /// `adopt` or `decline`.
    pub decision: String,
    /// Why (required to decline).
    pub note: Option<String>,
}

/// Adopts or declines; of two decisions at once, one lands and the other is told it came second.
pub async fn decide(s: &App, p: &Principal, id: i64, b: DecisionIn) -> Result<Status> {
    let l = tickets::load::<Suggestion>(s, id).await?;
    <Suggestion as AppTicket>::authorize(p, &l, Offer::Decide)?;
    let note = b.note.unwrap_or_default();
    if note.chars().count() > 2000 {
        return Err(Error { field: Some("note"), ..Error::bad("too_long", "意见不能超过 2000 个字") });
    }
    let cmd = match b.decision.as_str() {
        "adopt" => Command::Adopt { note },
        "decline" => Command::Decline { reason: note },
        _ => {
            return Err(Error {
                field: Some("decision"), ..Error::bad("invalid_decision", "请选择采纳或不予采纳")
            });
        }
    };
    match tickets::decide(s, Some(p.id), &l, cmd).await {
        Err(e) if e.code == "already_handled" => {
            Err(Error::conflict("already_decided", "该意见建议已由他人研判，请刷新查看"))
        }
        r => Ok(r?.status),
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeIn {
    /// `guide_version`, `faq_entry` or `rule`.
    pub kind: String,
    pub item_code: Option<String>,
    pub version: Option<i64>,
    pub faq_id: Option<i64>,
    /// The rule's title or document number.
    pub title: Option<String>,
    pub note: Option<String>,
}

/// Records the change that carried an adopted suggestion out; the guide version or library
/// entry must exist.
pub async fn implement(s: &App, p: &Principal, id: i64, b: ChangeIn) -> Result<Change> {
    let l = tickets::load::<Suggestion>(s, id).await?;
    <Suggestion as AppTicket>::authorize(p, &l, Offer::Implement)?;
    let recorded_at = l.recorded_at.map(noveto_domain::time::rfc3339).unwrap_or_default();
    let change = match b.kind.as_str() {
        "guide_version" => {
            let code =
                b.item_code.clone().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).ok_or_else(|| Error {
                    field: Some("item_code"),
                    ..Error::bad("required", "请填写办事指南对应的事项编码")
                })?;
            let version = b
                .version
                .ok_or_else(|| Error {
                    field: Some("version"), ..Error::bad("required", "请填写指南版本号")
                })?;
            let c2 = code.clone();
            let versions = s.store.read(move |tx| items::versions(tx, &c2)).await?;
            let Some(saved_at) = versions.iter().find(|v| v.0 == version).map(|v| v.1.clone()) else {
                return Err(Error {
                    field: Some("version"),
                    ..Error::bad("unknown_version", format!("事项 {code} 没有第 {version} 版指南"))
                });
            };
            // FAQ-3: a guide version saved before the suggestion was made cannot have carried it out.
            if saved_at < recorded_at {
                return Err(Error {
                    field: Some("version"),
                    ..Error::bad(
                        "version_before_suggestion",
                        format!(
                            "事项 {code} 第 {version} 版指南早于这条意见建议，不能作为其落实：请填写采纳后修订的版本"
                        ),
                    )
                });
            }
            Change::GuideVersion { item_code: code, version }
        }
        "faq_entry" => {
            let fid = b
                .faq_id
                .ok_or_else(|| Error { field: Some("faq_id"), ..Error::bad("required", "请填写问答编号") })?;
            if s.store.read(move |tx| faq::get(tx, fid)).await?.is_none() {
                return Err(Error {
                    field: Some("faq_id"), ..Error::bad("unknown_faq", "问题咨询库中没有这一条")
                });
            }
            Change::FaqEntry { faq_id: fid }
        }
        "rule" => {
            let title = b.title.clone().unwrap_or_default();
            if title.chars().count() > 200 {
                return Err(Error {
                    field: Some("title"), ..Error::bad("too_long", "制度名称不能超过 200 个字")
                });
            }
            Change::Rule { title: title.trim().to_string() }
        }
        _ => {
            return Err(Error {
                field: Some("kind"),
                ..Error::bad("invalid_kind", "落实方式须为办事指南新版本、问答条目或制度之一")
            });
        }
    };
    let cmd = Command::Implement { change: change.clone(), note: b.note.unwrap_or_default() };
    match tickets::decide(s, Some(p.id), &l, cmd).await {
        Err(e) if e.code == "already_handled" => {
            Err(Error::conflict("already_done", "该意见建议的落实情况已由他人登记，请刷新查看"))
        }
        r => r.map(|_| change),
    }
}
