//! The JSON API under `/api/v1`. Every route is declared once in [`routes`]; the same line
//! registers the handler and documents it in the OpenAPI document.

pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod complaints;
pub mod org;
pub mod public;
pub mod ratings;
pub mod reports;
pub mod unresolved;

use crate::AppState;
use crate::error::ApiError;
use crate::openapi::{Op, document, schema};
use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use serde_json::json;

macro_rules! table {
    ($( $m:ident $path:literal => $h:path, $tag:literal, $sum:literal $(, body = $b:ty)? $(, query = $q:ty)? $(, public = $p:literal)? $(, limit = $lim:expr)? ; )*) => {{
        let mut r: axum::Router<AppState> = axum::Router::new();
        let mut ops: Vec<Op> = Vec::new();
        $(
            #[allow(unused_mut)]
            let mut method = $m($h);
            $( method = method.layer(axum::extract::DefaultBodyLimit::max($lim)); )?
            r = r.route($path, method);
            #[allow(unused_mut, unused_assignments)]
            let mut body: Option<crate::openapi::SchemaFn> = None;
            $( body = Some(schema::<$b>); )?
            #[allow(unused_mut, unused_assignments)]
            let mut query: Option<crate::openapi::SchemaFn> = None;
            $( query = Some(schema::<$q>); )?
            #[allow(unused_mut, unused_assignments)]
            let mut public = false;
            $( public = $p; )?
            ops.push(Op { method: stringify!($m), path: $path, tag: $tag, summary: $sum, body, query, public });
        )*
        (r, ops)
    }};
}

/// The route table: the router and the OpenAPI operations, from one declaration each.
pub fn routes() -> (axum::Router<AppState>, Vec<Op>) {
    use self::calendar as cal;
    table! {
        get "/healthz" => healthz, "system", "存储可用时返回 200", public = true;
        get "/api/v1/openapi.json" => openapi_json, "system", "本文档", public = true;
        get "/api/v1/me" => org::me, "org", "当前用户及其角色";
        post "/api/v1/centers" => org::create_center, "org", "创建政务服务中心 / 便民服务中心（ORG-1）", body = org::CenterIn;
        get "/api/v1/centers" => org::list_centers, "org", "中心列表";
        put "/api/v1/centers/{id}/remedies" => org::set_remedies, "org", "不予受理、不予许可的救济途径：行政复议机关与期限、人民法院与起诉期限（NV-17）", body = noveto_app::org::RemediesIn;
        post "/api/v1/units" => org::create_unit, "org", "创建进驻单位（ORG-1）", body = org::UnitIn;
        get "/api/v1/units" => org::list_units, "org", "单位列表";
        put "/api/v1/units/{id}/liaison" => org::set_liaison, "org", "业务联系表：分管领导与联系人（ORG-3）", body = org::LiaisonIn;
        post "/api/v1/windows" => org::create_window, "org", "创建窗口或专门服务台（ORG-1）", body = org::WindowIn;
        get "/api/v1/windows" => org::list_windows, "org", "窗口列表";
        put "/api/v1/windows/{id}/posts" => org::set_posts, "org", "AB 岗：A 岗与 B 岗（ORG-4）", body = org::PostsIn;
        put "/api/v1/windows/{id}/absence" => org::set_absence, "org", "A 岗缺岗 / 到岗（ORG-4）", body = org::AbsenceIn;
        post "/api/v1/staff" => org::create_staff, "org", "创建工作人员及其角色（ORG-2）", body = org::StaffIn;
        get "/api/v1/staff" => org::list_staff, "org", "工作人员列表（管理员）";
        get "/api/v1/staff/{id}" => org::get_staff, "org", "一名工作人员及其角色（管理员）";
        put "/api/v1/staff/{id}" => org::update_staff, "org", "修改工作人员：姓名、邮箱、角色增减、重置密码、停用或启用（ORG-2）", body = noveto_app::org::StaffUpdateIn;
        get "/api/v1/audit/verify" => org::audit_verify, "system", "校验审计链";
        get "/api/v1/calendar/due" => cal::due, "calendar", "第 N 个工作日（起算日不计入）（CAL-1）", query = cal::DueQuery;
        get "/api/v1/calendar/working-day" => cal::working_day, "calendar", "某日是否工作日（CAL-1）", query = cal::DayQuery;
        get "/api/v1/calendar/years/{year}" => cal::year, "calendar", "某年的节假日与调休安排";
        post "/api/v1/calendar/years" => cal::import_year, "calendar", "导入一年的国务院节假日通知（管理员）", body = cal::ImportIn;
        put "/api/v1/calendar/overrides" => cal::set_override, "calendar", "本地调整：地方节假日、闭厅日（管理员）", body = cal::OverrideIn;
        post "/api/v1/cases" => cases::create, "cases", "接件：申请或咨询（NV-1）", body = cases::CaseIn;
        get "/api/v1/cases" => cases::list, "cases", "办件列表：mine=true 为我的首问件", query = cases::ListQuery;
        get "/api/v1/cases/{id}" => cases::get_case, "cases", "办件详情、时间线与期限";
        post "/api/v1/cases/{id}/accept" => cases::accept, "cases", "受理；可登记收到的材料（原件或复印件、份数），打印受理通知书", body = cases::AcceptIn;
        post "/api/v1/cases/{id}/referral" => cases::referral, "cases", "指引牌：告知去处（NV-3）", body = cases::ReferralIn;
        post "/api/v1/cases/{id}/referral/acknowledge" => cases::acknowledge, "cases", "接收单位确认转交，另立本单位办件（NV-3）";
        post "/api/v1/cases/{id}/notice-growth" => cases::request_growth, "cases", "一次性告知新增材料：申请窗口负责人批准（NV-4）", body = cases::GrowthIn;
        post "/api/v1/cases/{id}/notice-growth/decision" => cases::decide_growth, "cases", "窗口负责人审批新增告知材料（NV-4）", body = cases::GrowthDecisionIn;
        post "/api/v1/cases/{id}/kind" => cases::change_kind, "cases", "更正办件类型，须写明理由：咨询改为申请即时生效；申请改为咨询须窗口负责人确认（NV-2）", body = cases::KindIn;
        post "/api/v1/cases/{id}/kind/decision" => cases::decide_kind, "cases", "窗口负责人确认或不同意申请改为咨询（NV-2）", body = cases::KindDecisionIn;
        post "/api/v1/cases/{id}/placement" => cases::ask_placement, "cases", "归属不明：交窗口负责人、大厅负责人或综合咨询台在时限内分办（NV-3）", body = cases::PlacementIn;
        post "/api/v1/cases/{id}/placement/here" => cases::place_here, "cases", "分办：由本窗口办理（窗口负责人、大厅负责人或综合咨询台，NV-3）";
        post "/api/v1/cases/{id}/notices" => cases::notice, "cases", "一次性告知（NV-4）", body = cases::NoticeIn;
        post "/api/v1/cases/{id}/deficiency-acceptance" => cases::deficiency, "cases", "容缺受理（NV-5）", body = cases::DeficiencyIn;
        post "/api/v1/cases/{id}/supplement" => cases::supplement, "cases", "容缺材料已补齐（NV-5）";
        post "/api/v1/cases/{id}/stage" => cases::finish_stage, "cases", "完成当前办理阶段，转入下一阶段或办结（NV-1）", body = cases::StageDoneIn;
        post "/api/v1/cases/{id}/commitment" => cases::commitment, "cases", "告知承诺制办结（NV-6）", body = cases::CommitmentIn;
        post "/api/v1/cases/{id}/escalations" => cases::escalate, "cases", "请示（答复卡）（NV-7）", body = cases::EscalationIn;
        post "/api/v1/escalations/{id}/answer" => cases::answer, "cases", "答复请示（NV-7）", body = cases::AnswerIn;
        post "/api/v1/cases/{id}/close" => cases::close, "cases", "办结：approved / answered / withdrawn（须有确认的撤回申请）/ vetoed（须经批准）", body = cases::CloseIn;
        get "/api/v1/overdue" => cases::overdue, "cases", "超期办件：每件一次，列明单位、经办人、申请人（json / csv / xlsx）";
        post "/api/v1/cases/{id}/urgings" => cases::urging, "cases", "督办：监督监察科督促超期办件的经办人（记录并发送消息）", body = cases::UrgeIn;
        get "/api/v1/commitment-checks" => cases::commitment_checks, "cases", "告知承诺的事后核查：未核查的和当月已核查的，按单位统计（NV-6）";
        post "/api/v1/commitment-checks/{id}/result" => cases::commitment_result, "cases", "登记承诺核查结果：属实，或不实及处理措施（NV-6）", body = cases::ResultIn;
        post "/api/v1/prescreens" => cases::prescreen, "cases", "预判：核对群众带来的材料，一次说清缺什么、怎么补（NV-12）", body = cases::PrescreenIn;
        get "/api/v1/prescreens/{id}" => cases::get_prescreen, "cases", "预判记录（NV-12）";
        post "/api/v1/cases/{id}/withdrawals" => cases::withdrawal, "cases", "登记申请人书面撤回申请（NV-2）", body = cases::WithdrawalIn;
        post "/api/v1/withdrawals/{id}/confirmation" => cases::confirm_withdrawal, "cases", "窗口负责人确认撤回申请（NV-2）";
        post "/api/v1/cases/{id}/veto-requests" => cases::veto_request, "veto", "否决报批（NV-8）", body = cases::VetoIn;
        post "/api/v1/veto-requests/{id}/decision" => cases::decide, "veto", "审批否决报批（NV-8）", body = cases::DecisionIn;
        get "/api/v1/veto-requests/{id}" => cases::get_veto, "veto", "否决报批及审批链";
        get "/api/v1/inbox" => cases::inbox_list, "veto", "待我审批：等待本人审批的否决报批和请示，期限早的在前；q 按受理编号、申请人、事项或理由筛选；format=json|csv|xlsx", query = cases::InboxQuery;
        get "/api/v1/filings" => cases::filings, "veto", "否决事项报备（一头一尾）：受理编号、单位、事项、申请人、理由（NV-9）；format=json|csv|xlsx", query = cases::RollupQuery;
        post "/api/v1/filings/monthly" => cases::file_month, "veto", "单位按月向中心报备否决事项（政策要求按月报备时，如吉林经开区，NV-9）", body = cases::MonthlyFilingIn;
        get "/api/v1/filings/monthly" => cases::monthly_status, "veto", "各单位本月报备情况（NV-9）", query = cases::MonthQuery;
        get "/api/v1/filings/rollup" => cases::rollup, "veto", "月度汇总：否决与撤回、依法无需办理、否定性咨询及请示答复并列，按单位和窗口（NV-2、NV-9）；format=json|csv|xlsx", query = cases::RollupQuery;
        get "/api/v1/cases/{id}/documents/{file}" => cases::document, "documents", "文书（.html 或 .pdf）：notice 一次性告知书 / acceptance 受理通知书 / deficiency 容缺受理通知书 / commitment 告知承诺书 / referral 指引单 / reply-card 答复卡 / refusal-notice 不予受理（许可）通知书 / veto-filing-form 否决事项报备登记表 / withdrawal 撤回申请记录 / completion 办结通知书";
        post "/api/v1/cases/{id}/cross-unit" => cases::cross_unit, "cases", "跨部门事项：指定牵头单位（NV-10）", body = cases::CrossUnitIn;
        post "/api/v1/cases/{id}/joint-consultations" => cases::joint_consultation, "cases", "会商记录：参加人员与结论（NV-10）", body = cases::ConsultationIn;
        post "/api/v1/cases/{id}/assistance" => cases::assistance, "cases", "帮办代办记录（NV-11）", body = cases::AssistanceIn;
        post "/api/v1/cases/{id}/replies" => cases::send_reply, "cases", "答复群众：含推诿用语须确认后发送并计数（NV-14）", body = cases::SendReplyIn;
        post "/api/v1/cases/{id}/notes" => cases::add_note, "cases", "内部备注：仅工作人员可见，不告知群众", body = cases::NoteIn;
        post "/api/v1/replies/check" => cases::check_reply, "cases", "答复用语检查（NV-14）", body = cases::ReplyIn;
        post "/api/v1/cases/{id}/promote" => catalog::promote, "faq", "把已答复的咨询或请示收入问题咨询库（FAQ-3）", body = catalog::PromoteIn;
        post "/api/v1/items" => catalog::save_item, "catalog", "新增事项，或按编码保存新版本（CAT-1）", body = catalog::ItemIn;
        get "/api/v1/items" => catalog::list_items, "catalog", "事项列表与搜索（公开）", query = catalog::ItemQuery, public = true;
        get "/api/v1/items/{code}" => catalog::get_item, "catalog", "事项办事指南（公开）", public = true;
        get "/api/v1/items/{code}/versions" => catalog::versions, "catalog", "事项的全部版本（CAT-3）";
        get "/api/v1/bundles" => catalog::list_bundles, "catalog", "“一件事”列表；带 q 时给出问题所问的“一件事”（CAT-4，公开）", query = catalog::BundleQuery, public = true;
        get "/api/v1/bundles/{code}" => catalog::get_bundle, "catalog", "一件事：事项顺序、共享材料、合计时限（CAT-4，公开）", public = true;
        post "/api/v1/bundles" => catalog::save_bundle, "catalog", "新增或保存“一件事”（CAT-4）", body = catalog::BundleIn;
        get "/api/v1/catalog/export" => catalog::export, "catalog", "导出事项库 CSV / XLSX（CAT-3）", query = catalog::ExportQuery;
        post "/api/v1/catalog/import" => catalog::import, "catalog", "导入事项库：请求体为 CSV 或 XLSX 文件（CAT-3）", query = catalog::ImportQuery, limit = 20 * 1024 * 1024;
        post "/api/v1/faq" => catalog::create_faq, "faq", "新增问答（FAQ-1）", body = catalog::FaqIn;
        get "/api/v1/faq/search" => catalog::search, "faq", "检索问题咨询库（FAQ-1）", query = catalog::SearchQuery;
        get "/api/v1/faq/stats" => catalog::stats, "faq", "解答率与精准度、未解答问题（FAQ-2）", query = catalog::StatsQuery;
        get "/api/v1/faq/{id}" => catalog::get_faq, "faq", "一条问答";
        put "/api/v1/faq/{id}" => catalog::update_faq, "faq", "修改或停用问答（FAQ-1）", body = catalog::FaqIn;
        post "/api/v1/faq/searches/{id}/used" => catalog::used, "faq", "标记检索结果已用于答复（FAQ-2）", body = catalog::UsedIn;
        post "/api/v1/suggestions" => catalog::create_suggestion, "faq", "登记企业群众的意见建议（FAQ-3）", body = catalog::SuggestionIn;
        get "/api/v1/suggestions" => catalog::list_suggestions, "faq", "意见建议及其落实情况（FAQ-3）", query = catalog::SuggestionQuery;
        get "/api/v1/suggestions/{id}" => catalog::get_suggestion, "faq", "一条意见建议";
        post "/api/v1/suggestions/{id}/decision" => catalog::decide_suggestion, "faq", "研判意见建议：adopt 采纳 / decline 不予采纳（须写理由）（FAQ-3）", body = catalog::SuggestionDecisionIn;
        post "/api/v1/public/unresolved" => public::submit_unresolved, "public", "群众在网上反映办不成事（无需登录，按来源限流）（PUB-1、BBC-1）", body = public::PublicUnresolvedIn, public = true;
        get "/api/v1/public/follow" => public::follow, "public", "凭受理编号和手机号查询办件或办不成事反映的进度（PUB-1）", query = public::FollowQuery, public = true;
        post "/api/v1/unresolved/{id}/class" => unresolved::classify, "unresolved", "流转前设定或更正事项类别，时限随之计算（BBC-2、3）", body = unresolved::ClassIn;
        post "/api/v1/unresolved" => unresolved::register, "unresolved", "登记办不成事反映并分类，时限按政策计算（BBC-1～3）", body = unresolved::UnresolvedIn;
        get "/api/v1/unresolved/ledger" => unresolved::ledger, "unresolved", "本周登记表与进度跟踪台账（BBC-5）", query = unresolved::WeekQuery;
        get "/api/v1/unresolved/reports" => unresolved::reports, "unresolved", "已生成的周报（周五窗口报中心、周一中心报监督部门）与问责移送（BBC-5、6）";
        get "/api/v1/unresolved/reports/{file}" => unresolved::report, "unresolved", "一份报告：{id}.json / .xlsx / .csv / .pdf（BBC-5、6）";
        post "/api/v1/unresolved/accountability" => unresolved::accountability, "unresolved", "监督监察科将严重拖延、推诿的单位连同证据移送问责（BBC-6）", body = noveto_app::unresolved::AccountabilityIn;
        get "/api/v1/unresolved/criticism" => unresolved::criticism, "unresolved", "本月拖延、超时的单位，供通报批评（BBC-6）", query = unresolved::MonthQuery;
        get "/api/v1/unresolved/{id}" => unresolved::get, "unresolved", "一件办不成事反映";
        post "/api/v1/unresolved/{id}/dispatch" => unresolved::dispatch, "unresolved", "流转至责任单位业务联系人（A 岗缺岗时 B 岗）（BBC-2）", body = unresolved::DispatchIn;
        post "/api/v1/unresolved/{id}/feedback" => unresolved::feedback, "unresolved", "单位反馈办理结果，办结（BBC-2、3）", body = unresolved::FeedbackIn;
        post "/api/v1/unresolved/{id}/escalation" => unresolved::escalate, "unresolved", "联系人无法推动时，提交单位分管领导（BBC-2）";
        post "/api/v1/unresolved/{id}/deadline" => unresolved::deadline, "unresolved", "监督部门为复杂或历史遗留问题确定时限（BBC-3）", body = unresolved::DeadlineIn;
        post "/api/v1/unresolved/{id}/verification" => unresolved::verify, "unresolved", "窗口回访反映人核实单位答复后办结，或退回单位；无法办理的由窗口负责人备案（BBC-2、3）", body = unresolved::VerifyIn;
        post "/api/v1/unresolved/{id}/notice" => unresolved::notice, "unresolved", "一次性告知所需材料、办理窗口、经办人和联系方式（BBC-4）", body = unresolved::NoticeIn;
        post "/api/v1/unresolved/{id}/outside" => unresolved::outside, "unresolved", "不属于政务服务事项：告知有权处理部门的名称、地址和电话（BBC-1）", body = unresolved::OutsideIn;
        post "/api/v1/unresolved/{id}/final-answer" => unresolved::final_answer, "unresolved", "否决兜底事项的最终答复（NV-13）", body = unresolved::FinalAnswerIn;
        post "/api/v1/unresolved/{id}/bottleneck" => unresolved::bottleneck, "unresolved", "窗口发现的流程堵点作为流程改进建议发给责任单位联系人跟踪落实（BBC-7）", body = noveto_app::unresolved::BottleneckIn;
        get "/api/v1/unresolved/{id}/events" => unresolved::history, "unresolved", "办不成事反映的每一步";
        get "/api/v1/unresolved/{id}/documents/{file}" => unresolved::document, "unresolved", "流转单（transfer-slip）、登记回执（receipt），.html 或 .pdf（BBC-2、4）";
        post "/api/v1/public/complaints" => public::submit_complaint, "public", "群众在网上“吐槽找茬”（无需登录，按来源限流）（PUB-1、TC-2）", body = public::PublicComplaintIn, public = true;
        post "/api/v1/complaints" => complaints::create, "complaints", "登记“吐槽找茬”：当面、电话由首问责任人登记，其他渠道由监督监察科登记（TC-1、2）", body = complaints::ComplaintIn;
        get "/api/v1/complaints" => complaints::ledger, "complaints", "“吐槽找茬”台账：本期受理及未办结的事项，json / csv / xlsx（TC-7）", query = complaints::PeriodQuery;
        post "/api/v1/complaints/notices" => complaints::issue_notice, "complaints", "监督监察科发布本月“吐槽找茬”情况通报（TC-7）", body = complaints::NoticeIn;
        get "/api/v1/complaints/notices" => complaints::notices, "complaints", "已发布的“吐槽找茬”通报";
        get "/api/v1/complaints/notices/{file}" => complaints::notice, "complaints", "一份通报：{id}.json / .html / .pdf（TC-7）";
        get "/api/v1/complaints/analysis" => complaints::analysis, "complaints", "按类别、渠道、科室、窗口分析，集中问题（TC-7）", query = complaints::PeriodQuery;
        get "/api/v1/complaints/{id}" => complaints::get, "complaints", "一件“吐槽找茬”；诉求人要求保密的，除监督监察科外不显示姓名和电话（TC-5）";
        post "/api/v1/complaints/{id}/assign" => complaints::assign, "complaints", "分配牵头科室（lead）或会同办理科室（TC-2、3）", body = complaints::AssignIn;
        post "/api/v1/complaints/{id}/reply" => complaints::reply, "complaints", "责任科室办理意见与回复（经推诿用语检查）（TC-6、NV-14）", body = complaints::ReplyIn;
        post "/api/v1/complaints/{id}/on-spot" => complaints::on_spot, "complaints", "首问责任人当场答复（TC-2）", body = complaints::OnSpotIn;
        post "/api/v1/complaints/{id}/contact" => complaints::contact, "complaints", "已与诉求人联系核实；保密的由监督监察科联系（TC-4、5）", body = complaints::NoteIn;
        post "/api/v1/complaints/{id}/extension" => complaints::extend, "complaints", "复杂问题经监督监察科同意延长至 5 个工作日（TC-4）", body = complaints::ReasonIn;
        post "/api/v1/complaints/{id}/category" => complaints::classify, "complaints", "监督监察科更正类别（TC-1）", body = complaints::CategoryIn;
        post "/api/v1/complaints/{id}/co-opinion" => complaints::co_opinion, "complaints", "会同办理科室的意见（TC-3）", body = complaints::OpinionIn;
        post "/api/v1/complaints/{id}/meeting" => complaints::to_meeting, "complaints", "科室无法解决，提交局长办公会（TC-3）", body = complaints::ReasonIn;
        post "/api/v1/complaints/{id}/meeting/decision" => complaints::meeting_decision, "complaints", "记录局长办公会研究决定，由责任科室回复（TC-3）", body = complaints::MeetingIn;
        post "/api/v1/complaints/{id}/return" => complaints::send_back, "complaints", "监督监察科退回回复，科室重新办理", body = complaints::NoteIn;
        post "/api/v1/complaints/{id}/close" => complaints::close, "complaints", "监督监察科办结归档（TC-7）", body = complaints::NoteIn;
        get "/api/v1/complaints/{id}/events" => complaints::history, "complaints", "“吐槽找茬”的每一步";
        get "/api/v1/complaints/{id}/documents/{file}" => complaints::document, "complaints", "《政务服务“吐槽找茬”事项承办单》handling-form.html / .pdf（TC-6）";
        post "/api/v1/hotline/orders" => complaints::import_orders, "complaints", "导入 12345 工单（JSON，或带表头的 CSV / XLSX），每张工单只导入一次（TC-8）", limit = 10 * 1024 * 1024;
        get "/api/v1/hotline/replies" => complaints::replies, "complaints", "按 12345 热线格式导出工单回复（TC-8）", query = complaints::FormatQuery;
        post "/api/v1/cases/{id}/fallback" => cases::fallback, "cases", "否决事项责任不清或无人决定，转“办不成事”窗口兜底答复（NV-13）", body = noveto_app::unresolved::FallbackIn;
        post "/api/v1/windows/{id}/kiosk" => ratings::kiosk, "ratings", "窗口评价器的绑定链接（无需登录，绑定本窗口）（HCP-3）";
        get "/api/v1/reports/month-end" => reports::month_end, "reports", "月末报表一次读出：本月否决统计、本季度分析、本月考核、本季度满意度（即 /reports 页所示，NV-15、AS-1、HCP-5）", query = reports::PeriodQuery;
        get "/api/v1/reports/vetoes" => reports::vetoes, "reports", "否决及其他否定性办结统计：按单位、窗口、事项、理由，近六个月趋势，同等申请不同结果（NV-15、NV-16）；format=csv|xlsx|pdf", query = reports::PeriodQuery;
        get "/api/v1/reports/assessment" => reports::assessment, "reports", "窗口单位考核：按政策分值，得分与各项数字，月度评优（AS-1）；format=csv|xlsx|pdf", query = reports::PeriodQuery;
        get "/api/v1/reports/assessment/{unit_id}/items" => reports::drill, "reports", "考核数字背后的事项（AS-1）", query = reports::DrillQuery;
        get "/api/v1/reports/satisfaction" => reports::satisfaction, "reports", "季度满意度按单位、窗口（HCP-5）；format=csv|xlsx|pdf", query = reports::PeriodQuery;
        post "/api/v1/ratings" => ratings::create, "ratings", "评价一项服务（case_id、unresolved_id 或 complaint_id 之一）；评价器、短信每项服务一次，再评 409 already_rated（HCP-2～4）", body = ratings::RatingIn;
        get "/api/v1/ratings" => ratings::list, "ratings", "本季度的评价（评价人仅监督监察科可见）", query = ratings::QuarterQuery;
        get "/api/v1/ratings/callback-sample" => ratings::sample, "ratings", "季度电话回访样本：按单位、窗口分层，同一种子抽出同一样本（HCP-3）", query = ratings::SampleQuery;
        get "/api/v1/ratings/export" => ratings::export, "ratings", "按省好差评平台字段导出：评价编号、办件编号、事项编码、事项名称、评价渠道、评价等级、是否满意、评价时间、五个维度、评价意见、评价部门、评价窗口", query = ratings::QuarterQuery;
        get "/api/v1/satisfaction" => ratings::satisfaction, "ratings", "满意度：各渠道满意数、总数、满意率与综合满意度（30% 评价器 + 30% 短信 + 40% 回访），季度或年度；format=csv|xlsx 为按单位、窗口的季度表（HCP-5）", query = ratings::SatisfactionQuery;
        post "/api/v1/public/ratings/{token}" => ratings::by_link, "public", "短信评价链接：无需登录，一个链接只评价一次（HCP-3）", body = ratings::LinkRatingIn, public = true;
        get "/api/v1/rectifications" => ratings::rectifications, "ratings", "整改事项：差评整改与吐槽找茬集中问题整改（HCP-6、TC-7）", query = ratings::OpenQuery;
        post "/api/v1/rectifications" => ratings::open_rectification, "ratings", "监督监察科把集中的吐槽找茬问题交给科室整改（TC-7）", body = noveto_app::rectifications::OpenIn;
        post "/api/v1/inspections" => ratings::inspection, "reports", "记录明察暗访（监督监察科）或自查自纠（单位），发现的问题跟踪整改到位（AS-2）", body = noveto_app::rectifications::InspectionIn;
        get "/api/v1/rectifications/{id}" => ratings::rectification, "ratings", "一项整改";
        post "/api/v1/rectifications/{id}/verification" => ratings::verify, "ratings", "回访核实；实名差评由监督监察科回访（HCP-6）", body = noveto_app::rectifications::NoteIn;
        post "/api/v1/rectifications/{id}/done" => ratings::done, "ratings", "整改（或说明）并告知（HCP-6、TC-7）", body = noveto_app::rectifications::DoneIn;
        post "/api/v1/rectifications/{id}/appeal" => ratings::appeal, "ratings", "单位对有误或恶意的评价申诉一次（HCP-6）", body = noveto_app::rectifications::AppealIn;
        post "/api/v1/rectifications/{id}/appeal/decision" => ratings::decide_appeal, "ratings", "监督监察科决定申诉，理由留存（HCP-6）", body = noveto_app::rectifications::DecisionIn;
        post "/api/v1/suggestions/{id}/change" => catalog::implement_suggestion, "faq", "登记已采纳意见建议的落实：办事指南新版本、问答条目或制度（FAQ-3）", body = catalog::ChangeIn;
    }
}

/// Any `/api/v1/…` path that no route serves: the JSON error envelope, never an HTML page.
pub async fn not_found() -> ApiError {
    ApiError::new(axum::http::StatusCode::NOT_FOUND, "no_such_route", "没有这个接口：请查看 /api/v1/openapi.json")
}

/// A known `/api/v1/…` path asked with a method it does not take.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "该接口不支持这种请求方法：请查看 /api/v1/openapi.json",
    )
}

async fn healthz(State(s): State<AppState>) -> impl IntoResponse {
    match s.store.ping().await {
        Ok(()) => (axum::http::StatusCode::OK, Json(json!({"status": "ok"}))).into_response(),
        Err(_) => {
            ApiError::new(axum::http::StatusCode::SERVICE_UNAVAILABLE, "unavailable", "存储不可用").into_response()
        }
    }
}

async fn openapi_json() -> impl IntoResponse {
    let (_, ops) = routes();
    Json(document(&ops))
}

pub fn limit(l: Option<i64>) -> i64 {
    l.unwrap_or(50).clamp(1, 500)
}
