//! Roles, scopes and the one access decision (ORG-2, DESIGN invariant 6).
//!
//! Invariant: every read and write in the server asks [`authorize`]; no handler decides access
//! on its own. A role is granted at a scope (a center, a unit or a window); a center scope also
//! covers the centers below it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Clerk,
    WindowHead,
    HallManager,
    UnitLeader,
    UnitHead,
    BusinessSection,
    Supervision,
    Director,
    Oversight,
    Admin,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Clerk,
        Role::WindowHead,
        Role::HallManager,
        Role::UnitLeader,
        Role::UnitHead,
        Role::BusinessSection,
        Role::Supervision,
        Role::Director,
        Role::Oversight,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::WindowHead => "window_head",
            Role::HallManager => "hall_manager",
            Role::UnitLeader => "unit_leader",
            Role::UnitHead => "unit_head",
            Role::BusinessSection => "business_section",
            Role::Supervision => "supervision",
            Role::Director => "director",
            Role::Oversight => "oversight",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Clerk => "窗口工作人员",
            Role::WindowHead => "窗口负责人",
            Role::HallManager => "大厅管理人员",
            Role::UnitLeader => "分管领导",
            Role::UnitHead => "主要领导",
            Role::BusinessSection => "业务科室",
            Role::Supervision => "监督监察科",
            Role::Director => "局长",
            Role::Oversight => "效能办（只读）",
            Role::Admin => "系统管理员",
        }
    }

    /// The kind of scope this role is granted at.
    pub fn scope_kind(self) -> ScopeKind {
        match self {
            Role::Clerk | Role::WindowHead => ScopeKind::Window,
            Role::UnitLeader | Role::UnitHead => ScopeKind::Unit,
            _ => ScopeKind::Center,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    Center,
    Unit,
    Window,
}

impl ScopeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeKind::Center => "center",
            ScopeKind::Unit => "unit",
            ScopeKind::Window => "window",
        }
    }
    pub fn parse(s: &str) -> Option<ScopeKind> {
        match s {
            "center" => Some(ScopeKind::Center),
            "unit" => Some(ScopeKind::Unit),
            "window" => Some(ScopeKind::Window),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub kind: ScopeKind,
    pub id: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

/// Where a thing lives: its center with every center above it, and its unit and window if any.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Place {
    /// The center first, then its parent, up to the root.
    pub centers: Vec<i64>,
    pub unit: Option<i64>,
    pub window: Option<i64>,
}

impl Place {
    fn covered_by(&self, scope: Scope) -> bool {
        match scope.kind {
            ScopeKind::Center => self.centers.contains(&scope.id),
            ScopeKind::Unit => self.unit == Some(scope.id),
            ScopeKind::Window => self.window == Some(scope.id),
        }
    }
}

/// Everything a caller can ask to do. Each maps to the roles that may do it, at a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See the organization (centers, units, windows, staff names).
    ReadOrg,
    /// Create or change centers, units, windows, staff, roles, liaison and AB posts.
    ManageOrg,
    /// Mark a post's A as absent or back (window head or hall manager can do it too).
    SetAbsence,
    /// Open a case at a window or desk.
    OpenCase,
    /// Read a case and its documents.
    ReadCase,
    /// Take a helping action on a case (accept, refer, notice, escalate, request a veto, close).
    WorkCase,
    /// Decide at a level of the approval chain.
    Decide(DecisionLevel),
    /// NV-3: place a matter nobody knew whose it was (this window's, or where to).
    Place,
    /// Read the veto filings and roll-ups.
    ReadFilings,
    /// Change the calendar (import a year, local overrides).
    ManageCalendar,
    /// Put in a new version of the center's policy (POL-1).
    ManagePolicy,
    /// Edit the catalog.
    ManageCatalog,
    /// Edit the common-question library.
    ManageFaq,
    /// Read audit and system figures.
    ReadAudit,
    /// FAQ-3: record a suggestion from a company or citizen (or staff's own).
    RecordSuggestion,
    /// FAQ-3: read the suggestions and what became of them.
    ReadSuggestions,
    /// FAQ-3: adopt or decline a suggestion and record the change that carried it out.
    DecideSuggestion,
    /// BBC-2: register a 办不成事 matter at the desk and dispatch it to a unit.
    WorkUnresolved,
    /// BBC-5: read the desk's matters and ledger.
    ReadUnresolved,
    /// BBC-2: answer a matter dispatched to the unit (its leaders; its liaison contact and the
    /// leader it went up to by relation) — never the desk in the unit's place.
    AnswerUnresolved,
    /// BBC-3: the desk head files a matter that cannot be done, and closes it.
    FileUnresolved,
    /// NV-13: the desk's final answer on a veto nobody owned, with the business section.
    FallbackAnswer,
    /// TC-2: register a complaint taken in person, on the phone or from a channel.
    RegisterComplaint,
    /// TC-2: the supervision section registers, classes, assigns, extends, files — and alone
    /// sees a confidential complainant (TC-5).
    SuperviseComplaint,
    /// 督办: urge the person responsible for an overdue matter (a recorded urging).
    Urge,
    /// TC-7: read the complaints ledger and analysis.
    ReadComplaints,
    /// TC-3: a section assigned a complaint handles it (its leaders; its contact by relation).
    HandleComplaint,
    /// TC-3: record the director's meeting's decision.
    RecordMeeting,
    /// HCP-3: enter a rating given on the window's device (the window's staff or its device).
    RateOnDevice,
    /// HCP-3: record an SMS reply or a callback (the supervision section, the platform).
    RecordRating,
    /// HCP-5: read ratings and satisfaction figures.
    ReadRatings,
    /// HCP-6, TC-7: put a rectification right (the unit's leaders; its contact by relation).
    HandleRectification,
    /// BBC-3: set a complex matter's deadline (the supervision section).
    SetUnresolvedDeadline,
}

/// The levels of an approval or escalation chain, as a policy names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum DecisionLevel {
    WindowHead,
    UnitLeader,
    UnitHead,
    Collective,
    Center,
    /// The top of the ladder where the policy says so (必要时报本级政府研究决定, FZ 二(三),
    /// WH 一(三)): the center reports to the government at its level and records its decision.
    Government,
}

impl DecisionLevel {
    /// The level that decides in this one's place (代行) when nobody else holds it: the
    /// window head's place is taken by the unit's leader in charge, the leader's by the unit
    /// head, the unit's by the center.
    pub fn above(self) -> Option<DecisionLevel> {
        match self {
            DecisionLevel::WindowHead => Some(DecisionLevel::UnitLeader),
            DecisionLevel::UnitLeader => Some(DecisionLevel::UnitHead),
            DecisionLevel::UnitHead | DecisionLevel::Collective => Some(DecisionLevel::Center),
            DecisionLevel::Center | DecisionLevel::Government => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DecisionLevel::WindowHead => "window_head",
            DecisionLevel::UnitLeader => "unit_leader",
            DecisionLevel::UnitHead => "unit_head",
            DecisionLevel::Collective => "collective",
            DecisionLevel::Center => "center",
            DecisionLevel::Government => "government",
        }
    }
    pub fn parse(s: &str) -> Option<DecisionLevel> {
        [
            DecisionLevel::WindowHead,
            DecisionLevel::UnitLeader,
            DecisionLevel::UnitHead,
            DecisionLevel::Collective,
            DecisionLevel::Center,
            DecisionLevel::Government,
        ]
        .into_iter()
        .find(|l| l.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            DecisionLevel::WindowHead => "窗口负责人",
            DecisionLevel::UnitLeader => "分管领导",
            DecisionLevel::UnitHead => "单位主要领导",
            DecisionLevel::Collective => "集体研究（会商）",
            DecisionLevel::Center => "政务服务中心",
            DecisionLevel::Government => "本级政府研究决定（由中心报送并记录）",
        }
    }
}

/// The roles that may take an action. This table is the whole role model.
pub fn roles_for(action: Action) -> &'static [Role] {
    use Role::*;
    match action {
        Action::ReadOrg => &Role::ALL,
        Action::ManageOrg => &[Admin],
        Action::SetAbsence => &[Admin, HallManager, WindowHead],
        Action::OpenCase => &[Clerk, WindowHead, HallManager],
        Action::ReadCase => {
            &[Clerk, WindowHead, HallManager, UnitLeader, UnitHead, BusinessSection, Supervision, Director, Oversight]
        }
        Action::WorkCase => &[Clerk, WindowHead, HallManager],
        Action::Place => &[WindowHead, HallManager],
        Action::Decide(DecisionLevel::WindowHead) => &[WindowHead],
        Action::Decide(DecisionLevel::UnitLeader) => &[UnitLeader],
        Action::Decide(DecisionLevel::UnitHead) | Action::Decide(DecisionLevel::Collective) => &[UnitHead],
        Action::Decide(DecisionLevel::Center) | Action::Decide(DecisionLevel::Government) => {
            &[Director, BusinessSection]
        }
        Action::ReadFilings => &[BusinessSection, Supervision, Director, Oversight, UnitLeader, UnitHead],
        Action::ManageCalendar => &[Admin],
        Action::ManagePolicy => &[Admin],
        Action::ManageCatalog => &[Admin, BusinessSection],
        Action::ManageFaq => &[Admin, BusinessSection, WindowHead],
        Action::ReadAudit => &[Admin, Supervision, Oversight],
        Action::RecordSuggestion => &[Clerk, WindowHead, HallManager, BusinessSection, Supervision],
        Action::ReadSuggestions => {
            &[WindowHead, HallManager, UnitLeader, UnitHead, BusinessSection, Supervision, Director, Oversight]
        }
        Action::DecideSuggestion => &[BusinessSection, Director],
        Action::WorkUnresolved => &[Clerk, WindowHead, HallManager],
        Action::ReadUnresolved => {
            &[Clerk, WindowHead, HallManager, UnitLeader, UnitHead, BusinessSection, Supervision, Director, Oversight]
        }
        Action::AnswerUnresolved => &[UnitLeader, UnitHead],
        Action::FileUnresolved => &[WindowHead, HallManager],
        Action::FallbackAnswer => &[WindowHead, HallManager, BusinessSection],
        Action::RegisterComplaint => &[Clerk, WindowHead, HallManager, BusinessSection, Supervision],
        Action::SuperviseComplaint => &[Supervision],
        Action::Urge => &[Supervision],
        Action::ReadComplaints => &[Supervision, Director, Oversight, BusinessSection, HallManager],
        Action::HandleComplaint => &[UnitLeader, UnitHead],
        Action::RecordMeeting => &[Director, Supervision],
        Action::RateOnDevice => &[Clerk, WindowHead],
        Action::RecordRating => &[Supervision],
        Action::ReadRatings => &[Supervision, Director, BusinessSection, Oversight, HallManager, UnitLeader, UnitHead],
        Action::HandleRectification => &[UnitLeader, UnitHead],
        Action::SetUnresolvedDeadline => &[Supervision],
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("无权执行此操作：需要{needed}，且范围须覆盖该对象")]
pub struct Denied {
    pub needed: String,
}

/// The one access decision: may someone with these grants take this action at this place?
pub fn authorize(grants: &[Grant], action: Action, place: &Place) -> Result<(), Denied> {
    let allowed = roles_for(action);
    if grants.iter().any(|g| allowed.contains(&g.role) && place.covered_by(g.scope)) {
        return Ok(());
    }
    let needed = allowed.iter().map(|r| r.label()).collect::<Vec<_>>().join("、");
    Err(Denied { needed })
}

/// NV-3: who places a matter nobody knew whose it was — the window head or hall manager
/// (`Action::Place`), or the staff of a consultation desk (综合咨询台) of the matter's center:
/// `desks` are the ids of that center's desks.
pub fn authorize_placement(grants: &[Grant], place: &Place, desks: &[i64]) -> Result<(), Denied> {
    let denied = match authorize(grants, Action::Place, place) {
        Ok(()) => return Ok(()),
        Err(d) => d,
    };
    let at_desk = grants.iter().any(|g| {
        matches!(g.role, Role::Clerk | Role::WindowHead)
            && g.scope.kind == ScopeKind::Window
            && desks.contains(&g.scope.id)
    });
    if at_desk {
        return Ok(());
    }
    Err(Denied { needed: format!("{}或综合咨询台", denied.needed) })
}

/// How a personal field (a name, a phone) reads for one reader (DESIGN invariant 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shown {
    Full,
    /// A phone with its middle digits starred.
    Masked,
    /// "（保密）": a confidential complainant for anyone but the supervision section.
    Hidden,
}

/// How the reader stands to the ticket, beyond their roles: whether they work it (its first
/// contact, the person it went to, the desk or window that handles it), and whether the person
/// it concerns asked for confidentiality (TC-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Relation {
    pub works_it: bool,
    pub confidential: bool,
}

/// What a reader sees of the person a ticket concerns. The one decision behind every read,
/// list, print, export, search result and message of a case, a matter or a complaint: the app's
/// reads return views already redacted with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Seen {
    pub name: Shown,
    pub phone: Shown,
}

/// The words a hidden field reads as.
pub const CONFIDENTIAL: &str = "（保密）";

impl Seen {
    pub const FULL: Seen = Seen { name: Shown::Full, phone: Shown::Full };
    pub const HIDDEN: Seen = Seen { name: Shown::Hidden, phone: Shown::Hidden };

    pub fn name(&self, name: &str) -> String {
        match self.name {
            Shown::Full => name.to_string(),
            Shown::Masked => name.chars().take(1).chain("*".chars()).collect(),
            Shown::Hidden => CONFIDENTIAL.into(),
        }
    }
    pub fn phone(&self, phone: &str) -> String {
        match self.phone {
            Shown::Full => phone.to_string(),
            Shown::Masked => crate::validate::Phone::parse(phone).map(|p| p.masked()).unwrap_or_else(|_| "****".into()),
            Shown::Hidden => CONFIDENTIAL.into(),
        }
    }
    /// An identity number (a 身份证 or another document, a credit code) reads as the phone does:
    /// whole, masked to its ends (110105********002X), or hidden.
    pub fn id_number(&self, n: &str) -> String {
        match self.phone {
            Shown::Full => n.to_string(),
            Shown::Masked => crate::validate::mask_id_number(n),
            Shown::Hidden => CONFIDENTIAL.into(),
        }
    }
    /// Whether anything is held back.
    pub fn redacts(&self) -> bool {
        *self != Seen::FULL
    }
}

/// Personal data by reader, place and relation (个人信息保护法; TC-5): a confidential person
/// is seen by the supervision section only; otherwise the supervision section and whoever works
/// the ticket see the name and phone in full, every other reader the name and a masked phone.
pub fn seen(grants: &[Grant], place: &Place, rel: Relation) -> Seen {
    let supervision = grants.iter().any(|g| g.role == Role::Supervision && place.covered_by(g.scope));
    if rel.confidential {
        return if supervision { Seen::FULL } else { Seen::HIDDEN };
    }
    if supervision || rel.works_it {
        return Seen::FULL;
    }
    Seen { name: Shown::Full, phone: Shown::Masked }
}

/// Whether any grant allows the action anywhere (to show or hide a menu entry).
pub fn may_somewhere(grants: &[Grant], action: Action) -> bool {
    let allowed = roles_for(action);
    grants.iter().any(|g| allowed.contains(&g.role))
}

#[cfg(test)]
mod tests {
    use super::*;

    // NV-3: the consultation desk of the matter's center places it, as the window head and the
    // hall manager do; a desk elsewhere and a plain clerk do not.
    #[test]
    fn nv_3_the_consultation_desk_places_unplaced_matters() {
        let p = Place { centers: vec![2, 1], unit: Some(10), window: Some(100) };
        let g = |role, kind, id| Grant { role, scope: Scope { kind, id } };
        let desk = [g(Role::Clerk, ScopeKind::Window, 900)];
        assert!(authorize_placement(&desk, &p, &[900]).is_ok());
        assert!(authorize_placement(&desk, &p, &[901]).is_err(), "another center's desk");
        assert!(authorize_placement(&[g(Role::Clerk, ScopeKind::Window, 100)], &p, &[900]).is_err());
        assert!(authorize_placement(&[g(Role::WindowHead, ScopeKind::Window, 100)], &p, &[]).is_ok());
        assert!(authorize_placement(&[g(Role::HallManager, ScopeKind::Center, 1)], &p, &[]).is_ok());
    }

    fn place() -> Place {
        Place { centers: vec![2, 1], unit: Some(10), window: Some(100) }
    }

    // ORG-2: a role at a parent center covers the child center; a unit role does not cover
    // another unit; a window role does not cover another window.
    #[test]
    fn org_2_scopes() {
        let sup = Grant { role: Role::Supervision, scope: Scope { kind: ScopeKind::Center, id: 1 } };
        assert!(authorize(&[sup], Action::ReadCase, &place()).is_ok());
        let other_unit = Grant { role: Role::UnitLeader, scope: Scope { kind: ScopeKind::Unit, id: 11 } };
        assert!(authorize(&[other_unit], Action::ReadCase, &place()).is_err());
        let clerk = Grant { role: Role::Clerk, scope: Scope { kind: ScopeKind::Window, id: 100 } };
        assert!(authorize(&[clerk], Action::WorkCase, &place()).is_ok());
        assert!(authorize(&[clerk], Action::Decide(DecisionLevel::WindowHead), &place()).is_err());
        let clerk2 = Grant { role: Role::Clerk, scope: Scope { kind: ScopeKind::Window, id: 101 } };
        assert!(authorize(&[clerk2], Action::WorkCase, &place()).is_err());
    }

    // ORG-2, NV-2: no role that works cases at the window can decide a veto at a higher level.
    #[test]
    fn nv_2_clerk_never_decides() {
        for level in [
            DecisionLevel::WindowHead,
            DecisionLevel::UnitLeader,
            DecisionLevel::UnitHead,
            DecisionLevel::Collective,
            DecisionLevel::Center,
        ] {
            assert!(!roles_for(Action::Decide(level)).contains(&Role::Clerk));
        }
    }

    // TC-5, DESIGN 6: one decision for every personal field — a confidential person is seen by
    // the supervision section only; otherwise whoever works the ticket sees it in full and every
    // other reader the name with a masked phone.
    #[test]
    fn tc_5_seen_by_reader_place_and_relation() {
        let g = |role, kind, id| Grant { role, scope: Scope { kind, id } };
        let sup = [g(Role::Supervision, ScopeKind::Center, 1)];
        let other_sup = [g(Role::Supervision, ScopeKind::Center, 9)];
        let leader = [g(Role::UnitLeader, ScopeKind::Unit, 10)];
        let secret = Relation { works_it: true, confidential: true };
        assert_eq!(seen(&sup, &place(), secret), Seen::FULL);
        assert_eq!(seen(&other_sup, &place(), secret), Seen::HIDDEN, "another center's supervision");
        assert_eq!(seen(&leader, &place(), secret), Seen::HIDDEN, "the handling section, even working it");
        assert_eq!(seen(&leader, &place(), Relation { works_it: true, confidential: false }), Seen::FULL);
        let reader = seen(&leader, &place(), Relation::default());
        assert_eq!(reader, Seen { name: Shown::Full, phone: Shown::Masked });
        assert_eq!(reader.phone("13812345678"), "138****5678");
        assert_eq!(Seen::HIDDEN.name("韩梅"), CONFIDENTIAL);
    }
}
