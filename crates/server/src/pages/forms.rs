//! The tickets' printed forms (BBC-2, BBC-4, TC-6): the 办不成事 流转单 and 登记回执 and the
//! 吐槽找茬 承办单, built once as a `noveto_docs::Document` from the reader's view (already
//! redacted by the access layer: a confidential complainant reads "（保密）" on every copy but the
//! supervision section's) and rendered as an HTML print view or a PDF.

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::i18n::{tr, trf};
use crate::ui::day;
use noveto_app::tickets::View;
use noveto_docs::{Block, Cell, Document};
use noveto_domain::complaint::Complaint;
use noveto_domain::time::local_date;
use noveto_domain::unresolved::Unresolved;

/// A moment as papers write it, with its year: 2026年12月11日 10:05.
fn moment(t: Option<chrono::DateTime<chrono::FixedOffset>>) -> String {
    t.map(|t| {
        let l = t.with_timezone(&noveto_domain::time::shanghai());
        format!("{} {}", day(l.date_naive()), l.format("%H:%M"))
    })
    .unwrap_or_default()
}

/// The blank a person signs on.
const LINE: &str = "＿＿＿＿＿＿＿＿";
fn date_line() -> &'static str {
    tr("＿＿＿＿年＿＿月＿＿日")
}

struct Facts {
    center: String,
    hotline: String,
    supervision: String,
    units: Vec<noveto_store::repo::org::Unit>,
    windows: Vec<noveto_store::repo::org::Window>,
    names: std::collections::HashMap<i64, String>,
}

impl Facts {
    fn unit(&self, id: Option<i64>) -> String {
        id.and_then(|u| self.units.iter().find(|x| x.id == u)).map(|u| u.name.clone()).unwrap_or_default()
    }
    fn window(&self, id: Option<i64>) -> String {
        id.and_then(|w| self.windows.iter().find(|x| x.id == w)).map(|w| w.name.clone()).unwrap_or_default()
    }
    fn name(&self, id: Option<i64>) -> String {
        id.and_then(|i| self.names.get(&i).cloned()).unwrap_or_default()
    }
}

async fn facts(s: &AppState, center_id: i64, people: Vec<i64>) -> ApiResult<Facts> {
    let d = noveto_app::org::directory(s).await?;
    let c = d.centers.iter().find(|c| c.id == center_id).cloned();
    let names = noveto_app::org::names(s, people).await?;
    Ok(Facts {
        center: c.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
        hotline: c.as_ref().map(|c| c.hotline.clone()).unwrap_or_default(),
        supervision: c.as_ref().map(|c| c.supervision_phone.clone()).unwrap_or_default(),
        units: d.units.clone(),
        windows: d.windows.clone(),
        names,
    })
}

fn traditional(mut d: Document) -> Document {
    if crate::i18n::current() == crate::i18n::Locale::Hant {
        d.lang = "zh-Hant";
    }
    d
}

/// BBC-2, BBC-4: the matter's forms — `transfer-slip` (流转单) and `receipt` (登记回执).
pub async fn unresolved(s: &AppState, u: &View<Unresolved>, kind: &str) -> ApiResult<Document> {
    let f = facts(
        s,
        u.center_id,
        [u.registered_by, u.sent_to, u.escalated_to, u.answered_by].into_iter().flatten().collect(),
    )
    .await?;
    let due = u.due.map(day).unwrap_or_else(|| tr("待监督部门确定").to_string());
    let mut d;
    match kind {
        "transfer-slip" => {
            d = Document::new(tr("“办不成事”事项流转单"));
            d.push(Block::Title(f.center.clone()))
                .push(Block::Subtitle(tr("“办不成事”事项流转单").into()))
                .push(Block::Right(trf("编号：{}", &[&u.receipt_no])))
                .push(Block::Grid {
                    widths: vec![2.2, 3.4, 2.2, 3.4],
                    cells: vec![
                        Cell::heading(0, 0, 1, 1, tr("反映人")),
                        Cell::value(0, 1, 1, 1, u.reporter.name.clone()),
                        Cell::heading(0, 2, 1, 1, tr("联系电话")),
                        Cell::value(0, 3, 1, 1, u.reporter.phone.clone()),
                        Cell::heading(1, 0, 1, 1, tr("登记时间")),
                        Cell::value(1, 1, 1, 1, moment(u.registered_at)),
                        Cell::heading(1, 2, 1, 1, tr("事项类别")),
                        Cell::value(1, 3, 1, 1, tr(u.class.label())),
                        Cell::heading(2, 0, 1, 1, tr("反映事项")),
                        Cell::value(2, 1, 1, 3, u.summary.clone()),
                        Cell::heading(3, 0, 1, 1, tr("责任单位")),
                        Cell::value(3, 1, 1, 1, f.unit(u.unit_id)),
                        Cell::heading(3, 2, 1, 1, tr("接收人")),
                        Cell::value(3, 3, 1, 1, f.name(u.sent_to)),
                        Cell::heading(4, 0, 1, 1, tr("流转时间")),
                        Cell::value(4, 1, 1, 1, moment(u.dispatched_at)),
                        Cell::heading(4, 2, 1, 1, tr("办理时限")),
                        Cell::value(4, 3, 1, 1, due.clone()),
                        Cell::heading(5, 0, 1, 1, tr("单位办理结果")),
                        Cell::value(5, 1, 1, 3, u.result.clone().unwrap_or_else(|| "\n\n".into())),
                        Cell::heading(6, 0, 1, 1, tr("分管领导意见")),
                        Cell::value(
                            6,
                            1,
                            1,
                            3,
                            format!("\n\n{}", trf("签字：{}    {}", &[&LINE, &date_line()])),
                        ),
                        Cell::heading(7, 0, 1, 1, tr("签收")),
                        Cell::value(7, 1, 1, 3, trf("签收人（签字）：{}    签收时间：{}", &[&LINE, &date_line()])),
                    ],
                })
                .push(Block::Para(trf(
                    "登记人：{}    窗口：{}    {}",
                    &[&f.name(u.registered_by), &f.window(u.desk_id), &day(local_date(s.now()))],
                )))
                .push(Block::Note(
                    tr("请责任单位在办理时限内办结，将办理结果和分管领导意见填入本单并反馈“办不成事”反映窗口；确实无法办理的，在 3 个工作日内书面说明理由，报窗口负责人备案。").into(),
                ));
        }
        "receipt" => {
            d = Document::new(tr("“办不成事”反映登记回执"));
            d.push(Block::Title(f.center.clone()))
                .push(Block::Subtitle(tr("“办不成事”反映登记回执").into()))
                .push(Block::Right(trf("编号：{}", &[&u.receipt_no])))
                .push(Block::Para(trf(
                    "{}：您反映的事项已于{}登记，受理编号 {}，凭编号和登记电话可在网上查询进度。",
                    &[&u.reporter.name, &moment(u.registered_at), &u.receipt_no],
                )))
                .push(Block::Para(trf("反映事项：{}", &[&u.summary])));
            let next = match (&u.body, u.fallback.is_some()) {
                (Some(b), _) => {
                    trf("该事项不属于政务服务事项，请联系{}（地址：{}；电话：{}）。", &[&b.name, &b.address, &b.phone])
                }
                (None, true) => trf("该事项由本窗口会同业务科室作出最终答复，{}前答复您。", &[&due]),
                (None, false) => trf(
                    "我们将把该事项流转至责任单位办理，办理时限：{}；确实无法办理的，责任单位将书面说明理由。",
                    &[&due],
                ),
            };
            d.push(Block::Para(next));
            if let Some(n) = &u.notice {
                d.push(Block::Subtitle(tr("一次性告知").into())).push(Block::Grid {
                    widths: vec![2.0, 6.0],
                    cells: vec![
                        Cell::heading(0, 0, 1, 1, tr("所需材料")),
                        Cell::value(0, 1, 1, 1, n.materials.clone()),
                        Cell::heading(1, 0, 1, 1, tr("办理窗口")),
                        Cell::value(1, 1, 1, 1, n.window.clone()),
                        Cell::heading(2, 0, 1, 1, tr("经办人")),
                        Cell::value(2, 1, 1, 1, n.person.clone()),
                        Cell::heading(3, 0, 1, 1, tr("联系方式")),
                        Cell::value(3, 1, 1, 1, n.contact.clone()),
                    ],
                });
            }
            d.push(Block::Para(trf(
                "登记窗口：{}；登记人：{}。咨询电话：{}；监督电话：{}。",
                &[&f.window(u.desk_id), &f.name(u.registered_by), &f.hotline, &f.supervision],
            )))
            .push(Block::Para(trf("反映人（签收）：{}    登记人（签字）：{}", &[&LINE, &LINE])))
            .push(Block::Right(day(local_date(s.now()))));
        }
        _ => return Err(ApiError::not_found(tr("文书种类"))),
    }
    d.back = Some((format!("/unresolved#u{}", u.id), tr("返回").into()));
    Ok(traditional(d))
}

/// TC-6: the 《政务服务“吐槽找茬”事项承办单》 with every field of the seed.
pub async fn complaint(s: &AppState, c: &View<Complaint>, kind: &str) -> ApiResult<Document> {
    if kind != "handling-form" {
        return Err(ApiError::not_found(tr("文书种类")));
    }
    let f = facts(s, c.center_id, [c.replied_by, c.assignee].into_iter().flatten().collect()).await?;
    let mut sections: Vec<String> = c.lead.map(|l| trf("{}（牵头）", &[&f.unit(Some(l))])).into_iter().collect();
    sections.extend(c.co.iter().map(|x| f.unit(Some(x.unit_id))));
    let source = match &c.hotline_order {
        Some(o) => trf("{}（工单号 {}）", &[&tr(c.channel.label()), o]),
        None => tr(c.channel.label()).to_string(),
    };
    let limit = match (c.due, &c.extension) {
        (Some(d), Some(r)) => trf("{}（复杂问题，经监督监察科同意延长：{}）", &[&day(d), r]),
        (Some(d), None) => day(d),
        (None, _) => String::new(),
    };
    let mut opinion = c.opinion.clone().unwrap_or_default();
    for x in c.co.iter().filter(|x| x.opinion.is_some()) {
        let text = x.opinion.clone().unwrap_or_default();
        opinion.push('\n');
        opinion.push_str(&trf("{}会办意见：{}", &[&f.unit(Some(x.unit_id)), &text]));
    }
    if let Some(m) = &c.meeting {
        opinion.push('\n');
        opinion.push_str(&trf("提交局长办公会：{}", &[&m.reason]));
        if let Some(dec) = &m.decision {
            opinion.push('\n');
            opinion.push_str(&trf("局长办公会研究决定：{}", &[dec]));
        }
    }
    let replied = match (&c.reply, c.replied_at) {
        (Some(r), at) => format!("{r}\n{}", trf("（{}回复）", &[&moment(at)])),
        _ => String::new(),
    };
    let mut d = Document::new(tr("政务服务“吐槽找茬”事项承办单"));
    d.push(Block::Title(f.center.clone()))
        .push(Block::Subtitle(tr("政务服务“吐槽找茬”事项承办单").into()))
        .push(Block::Right(trf("编号：{}    类别：{}", &[&c.receipt_no, &tr(c.category.label())])))
        .push(Block::Grid {
            widths: vec![2.4, 3.4, 2.2, 3.4],
            cells: vec![
                Cell::heading(0, 0, 1, 1, tr("事项来源")),
                Cell::value(0, 1, 1, 1, source),
                Cell::heading(0, 2, 1, 1, tr("承办科室")),
                Cell::value(0, 3, 1, 1, sections.join(tr("、"))),
                Cell::heading(1, 0, 1, 1, tr("诉求人")),
                Cell::value(1, 1, 1, 1, c.complainant.name.clone()),
                Cell::heading(1, 2, 1, 1, tr("联系方式")),
                Cell::value(1, 3, 1, 1, c.complainant.phone.clone()),
                Cell::heading(2, 0, 1, 1, tr("受理时间")),
                Cell::value(2, 1, 1, 1, moment(c.received_at)),
                Cell::heading(2, 2, 1, 1, tr("处理时限")),
                Cell::value(2, 3, 1, 1, limit),
                Cell::heading(3, 0, 1, 1, tr("“吐槽找茬”内容")),
                Cell::value(3, 1, 1, 3, c.content.clone()),
                Cell::heading(4, 0, 1, 1, tr("责任科室（窗口）办理意见")),
                Cell::value(4, 1, 1, 3, if opinion.is_empty() { "\n\n".into() } else { opinion }),
                Cell::heading(5, 0, 1, 1, tr("回复情况")),
                Cell::value(5, 1, 1, 3, if replied.is_empty() { "\n\n".into() } else { replied }),
            ],
        })
        .push(Block::Para(trf(
            "承办人（签字）：{}    科室负责人（签字）：{}    {}",
            &[&f.name(c.replied_by.or(c.assignee)), &LINE, &day(local_date(s.now()))],
        )))
        .push(Block::Note(tr("事项办结后，本单报送监督监察科。").into()));
    d.back = Some((format!("/complaints#c{}", c.id), tr("返回").into()));
    Ok(traditional(d))
}

/// The HTML print view or the PDF of `doc`, as `ext` asks.
pub fn render(doc: &Document, ext: &str) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    match ext {
        "html" => Ok(axum::response::Html(doc.html()).into_response()),
        "pdf" => {
            let bytes = doc
                .pdf()
                .map_err(|e| ApiError::new(axum::http::StatusCode::SERVICE_UNAVAILABLE, "pdf_unavailable", e))?;
            Ok(([(axum::http::header::CONTENT_TYPE, "application/pdf")], bytes).into_response())
        }
        _ => Err(ApiError::not_found(tr("文书格式"))),
    }
}

/// A form inside the site's frame (navigation, the script switch, large type): the form itself,
/// then its print view and PDF (`api` is the document's API path without extension) and the way
/// back.
pub fn page(p: &crate::auth::Principal, large: bool, d: &Document, api: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    let body = maud::html! {
        section.card.doc {
            (maud::PreEscaped(d.blocks_html()))
            p.noprint {
                a href={ (api) ".html" } target="_blank" { (tr("打印视图")) } " · "
                a href={ (api) ".pdf" } { "PDF" }
                @if let Some((href, label)) = &d.back { " · " a href=(href) { (label) } }
            }
        }
    };
    super::layout(Some(p), large, &d.title, body).into_response()
}

/// BBC-5, BBC-6: a kept report as a paper: its title, the week's figures, the matters, and the
/// units that stalled.
pub async fn report(
    s: &AppState,
    r: &noveto_store::repo::reports::Report,
    doc: &noveto_app::unresolved::ReportDoc,
) -> ApiResult<Document> {
    let units = noveto_app::org::directory(s).await?.units;
    let unit =
        |id: Option<i64>| id.and_then(|u| units.iter().find(|x| x.id == u)).map(|u| u.name.clone()).unwrap_or_default();
    let l = &doc.ledger;
    let mut d = Document::new(&r.title);
    d.push(Block::Title(r.title.clone()))
        .push(Block::Right(trf("生成时间：{}", &[&crate::ui::when(&r.made_at)])))
        .push(Block::Para(trf(
            "本周登记 {} 件，单位已答复 {} 件（回访办结 {} 件），待单位答复 {} 件，其中超期 {} 件。",
            &[&l.registered, &l.answered, &l.closed, &l.open, &l.overdue],
        )));
    if let Some(n) = &doc.note {
        d.push(Block::Para(trf("移送事由：{}", &[n])));
    }
    let mut rows = vec![
        [tr("受理编号"), tr("反映人"), tr("反映事项"), tr("责任单位"), tr("状态"), tr("办理时限")]
            .map(String::from)
            .to_vec(),
    ];
    for x in &l.lines {
        rows.push(vec![
            x.receipt_no.clone(),
            format!("{} {}", x.reporter, x.phone),
            x.summary.clone(),
            unit(x.unit_id),
            format!("{}{}", crate::i18n::tr_text(&x.status), if x.overdue { tr("（超期）") } else { "" }),
            x.due.clone().unwrap_or_default(),
        ]);
    }
    d.push(Block::Table { widths: vec![2.2, 2.2, 4.0, 2.2, 2.2, 1.6], rows });
    if !doc.stalls.is_empty() {
        d.push(Block::Subtitle(tr("拖延、超时的单位").into()));
        let mut rows =
            vec![[tr("责任单位"), tr("超期未办结"), tr("超时办结"), tr("受理编号")].map(String::from).to_vec()];
        for x in &doc.stalls {
            rows.push(vec![
                unit(Some(x.unit_id)),
                x.overdue.to_string(),
                x.late.to_string(),
                x.receipts.join(tr("、")),
            ]);
        }
        d.push(Block::Table { widths: vec![3.0, 1.5, 1.5, 5.0], rows });
    }
    d.back = Some(("/unresolved".into(), tr("返回").into()));
    Ok(traditional(d))
}

/// TC-7: the month's notice of complaints as a paper.
pub fn complaint_notice(r: &noveto_store::repo::reports::Report, doc: &noveto_app::complaints::NoticeDoc) -> Document {
    let mut d = Document::new(&r.title);
    d.push(Block::Title(r.title.clone()))
        .push(Block::Right(trf("发布时间：{}", &[&crate::ui::when(&r.made_at)])))
        .push(Block::Para(trf(
            "本月共受理“吐槽找茬”{} 件，其中当场答复 {} 件，超期 {} 件。",
            &[&doc.total, &doc.on_spot, &doc.overdue],
        )));
    let mut rows = vec![vec![tr("类别").to_string(), tr("件数").to_string()]];
    rows.extend(doc.by_category.iter().map(|(l, n)| vec![crate::i18n::tr_text(l), n.to_string()]));
    d.push(Block::Subtitle(tr("按类别").into())).push(Block::Table { widths: vec![4.0, 1.0], rows });
    let mut rows = vec![vec![tr("科室（窗口）").to_string(), tr("件数").to_string()]];
    rows.extend(doc.by_unit.iter().map(|(u, n)| vec![u.clone(), n.to_string()]));
    d.push(Block::Subtitle(tr("按科室").into())).push(Block::Table { widths: vec![4.0, 1.0], rows });
    d.push(Block::Subtitle(tr("集中问题与整改").into()));
    if doc.concentrated.is_empty() && doc.rectifications.is_empty() {
        d.push(Block::Para(tr("本月没有集中反映的问题。").into()));
    }
    for c in &doc.concentrated {
        d.push(Block::Para(c.clone()));
    }
    for x in &doc.rectifications {
        d.push(Block::Para(x.clone()));
    }
    d.back = Some(("/complaints".into(), tr("返回").into()));
    traditional(d)
}

/// NV-15: the veto statistics as a paper, with its charts.
pub fn veto_report(r: &noveto_app::reports::VetoReport) -> Document {
    let title = trf("否决及其他否定性办结统计（{}）", &[&r.period]);
    let mut d = Document::new(&title);
    d.push(Block::Title(title.clone())).push(Block::Para(trf(
        "否决报批 {} 件（批准 {}，不予否决 {}，审批中 {}）；申请人书面撤回 {} 件，依法无需办理 {} 件，申请指引他处 {} 件，申请改为咨询 {} 件，否定性答复 {} 件。",
        &[&r.requested, &r.approved, &r.denied, &r.pending, &r.withdrawals, &r.not_required, &r.referrals, &r.kind_changes, &r.negative_answers],
    )));
    d.push(Block::Bars {
        title: tr("近六个月否决报批").into(),
        bars: r.trend.iter().map(|(m, a, _, _)| (m.clone(), *a as f64)).collect(),
        unit: tr("件").into(),
    });
    d.push(Block::Bars {
        title: tr("按理由").into(),
        bars: r.by_reason.iter().take(10).map(|c| (c.reason.clone().unwrap_or_default(), c.count as f64)).collect(),
        unit: tr("件").into(),
    });
    d.push(Block::Bars {
        title: tr("按单位").into(),
        bars: r.by_unit.iter().take(10).map(|c| (c.label.clone(), c.count as f64)).collect(),
        unit: tr("件").into(),
    });
    for (name, cols, rows) in noveto_app::reports::veto_tables(r).into_iter().skip(1) {
        if rows.is_empty() {
            continue;
        }
        let mut all = vec![cols.iter().map(|c| crate::i18n::tr_text(c)).collect::<Vec<_>>()];
        all.extend(rows);
        let n = all[0].len();
        let mut widths = vec![3.0];
        widths.extend(std::iter::repeat_n(1.2, n - 1));
        d.push(Block::Subtitle(crate::i18n::tr_text(name))).push(Block::Table { widths, rows: all });
    }
    d.back = Some(("/reports".into(), tr("返回").into()));
    traditional(d)
}

/// AS-1: the assessment as a paper, with the scores as a chart.
pub fn assessment_report(a: &noveto_app::reports::Assessment) -> Document {
    let title = trf("窗口单位考核（{}）", &[&a.period]);
    let mut d = Document::new(&title);
    d.push(Block::Title(title.clone())).push(Block::Note(trf("分值依据：{}", &[&crate::i18n::tr_text(&a.source)])));
    d.push(Block::Bars {
        title: tr("单位得分").into(),
        bars: a.units.iter().take(15).map(|u| (u.name.clone(), u.score)).collect(),
        unit: tr("分").into(),
    });
    let (cols, rows) = noveto_app::reports::assessment_rows(a);
    let mut all = vec![cols.iter().map(|c| crate::i18n::tr_text(c)).collect::<Vec<_>>()];
    all.extend(rows);
    d.push(Block::Table { widths: vec![3.0, 1.0, 1.0, 1.0, 1.2, 1.0, 1.0, 1.0, 1.0, 1.2, 1.0], rows: all });
    d.back = Some(("/reports".into(), tr("返回").into()));
    traditional(d)
}

/// HCP-5: the quarter's satisfaction by unit and window as a paper, with a chart.
pub fn satisfaction_report(quarter: &str, rows: &[(String, noveto_app::ratings::Figures)]) -> Document {
    let title = trf("好差评满意度（{}）", &[&quarter]);
    let mut d = Document::new(&title);
    d.push(Block::Title(title.clone()));
    d.push(Block::Bars {
        title: tr("综合满意度").into(),
        bars: rows.iter().filter_map(|(n, f)| f.composite.map(|c| (crate::i18n::tr_text(n), c * 100.0))).collect(),
        unit: "%".into(),
    });
    let pct = |r: Option<f64>| r.map(|x| format!("{:.1}%", x * 100.0)).unwrap_or_else(|| tr("无评价").into());
    let mut all =
        vec![[tr("对象"), tr("评价器"), tr("短信"), tr("电话回访"), tr("综合满意度")].map(String::from).to_vec()];
    for (n, f) in rows {
        all.push(vec![
            crate::i18n::tr_text(n),
            pct(f.device.rate),
            pct(f.sms.rate),
            pct(f.callback.rate),
            pct(f.composite),
        ]);
    }
    d.push(Block::Table { widths: vec![3.0, 1.2, 1.2, 1.2, 1.2], rows: all });
    d.back = Some(("/reports".into(), tr("返回").into()));
    traditional(d)
}
