//! Who acts, with which permissions, for which communities.
//!
//! Every service call takes a `Ctx`; authorization happens in services, so the console and the
//! API cannot disagree. A community the actor is not assigned to answers `NotFound`, not
//! `Forbidden`: its existence is not the actor's business.

use std::collections::BTreeSet;

use super::error::{CoreError, CoreResult};
use super::ids::{CommunityId, CompanyId, UserId};

/// A permission a role may grant. Stored in the `roles` table as its `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Perm {
    /// Create and edit communities and buildings.
    CommunityManage,
    /// Read the registry (units, people, vehicles, parking).
    RegistryRead,
    /// Create, edit, delete and import registry records.
    RegistryWrite,
    /// See phone and ID numbers in clear (each reveal is audit-logged).
    PiiReveal,
    /// Manage users, roles and their community assignments.
    UsersManage,
    /// Browse the audit log.
    AuditRead,
    /// Register service requests and follow the ones one registered (首问责任).
    TicketsRegister,
    /// Dispatch, transfer, hold, escalate, visit and close any request of the community.
    TicketsDispatch,
    /// Work orders: grab from the pool, accept, on site, done.
    TicketsWork,
    /// SLA settings, categories, the calendar, the manager's board and statistics.
    TicketsManage,
    /// The cashier's desk: what a unit owes, payments and receipts, the daily close.
    BillingCollect,
    /// Fee items and standards, bill runs, reversals and refunds, confirming daily closes.
    BillingManage,
    /// Enter what happened earlier (补录): a request, a hotline call, a return visit or a
    /// payment with the time it really happened, within the backdating window
    /// (`Settings::backdate_window`). Alone it grants nothing: the record's own permission is
    /// needed too.
    RecordsBackdate,
    /// The wording of notifications and the delivery log (消息模板 · 发送记录).
    NotifyManage,
    /// Notices (公告) and the community's public board (三公开公示栏).
    AnnouncementsManage,
    /// Satisfaction surveys (build, open, close, read the results) and the opinion library
    /// (满意度调查 · 意见征集库).
    SurveysManage,
    /// Patrol checkpoints and their labels, routes, plans, the day's board and reports (巡检).
    PatrolsManage,
    /// Walk patrol rounds on the phone and turn a finding into a request.
    PatrolsWalk,
    /// Shift patterns, the month rosters, swaps and leave (值班表).
    DutyManage,
    /// The emergency plan library, opening, escalating and closing incidents with their
    /// analysis, drills (应急预案 · 突发事件 · 演练).
    IncidentsManage,
    /// The equipment ledger, maintenance plans, accepting maintenance orders, machine rooms and
    /// CCTV settings (设备台账 · 保养计划 · 验收).
    EquipmentManage,
    /// See the ledger, do maintenance orders, enter readings and machine-room logs and visits.
    EquipmentWork,
    /// The front desk's settings: key cabinets and their keepers, retiring keys (前台设置).
    FrontdeskManage,
    /// The front desk's daily work: the key ledger and lending register, owners'
    /// authorisations (钥匙台账 · 领用登记).
    FrontdeskWork,
    /// The company's audit sheets and the audits of the communities one reaches (品质督导:
    /// 督导评分细则 · 品质核查).
    QualityManage,
}

impl Perm {
    pub const ALL: [Perm; 25] = [
        Perm::CommunityManage,
        Perm::RegistryRead,
        Perm::RegistryWrite,
        Perm::PiiReveal,
        Perm::UsersManage,
        Perm::AuditRead,
        Perm::TicketsRegister,
        Perm::TicketsDispatch,
        Perm::TicketsWork,
        Perm::TicketsManage,
        Perm::BillingCollect,
        Perm::BillingManage,
        Perm::RecordsBackdate,
        Perm::NotifyManage,
        Perm::AnnouncementsManage,
        Perm::SurveysManage,
        Perm::PatrolsManage,
        Perm::PatrolsWalk,
        Perm::DutyManage,
        Perm::IncidentsManage,
        Perm::EquipmentManage,
        Perm::EquipmentWork,
        Perm::FrontdeskManage,
        Perm::FrontdeskWork,
        Perm::QualityManage,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Perm::CommunityManage => "community.manage",
            Perm::RegistryRead => "registry.read",
            Perm::RegistryWrite => "registry.write",
            Perm::PiiReveal => "pii.reveal",
            Perm::UsersManage => "users.manage",
            Perm::AuditRead => "audit.read",
            Perm::TicketsRegister => "tickets.register",
            Perm::TicketsDispatch => "tickets.dispatch",
            Perm::TicketsWork => "tickets.work",
            Perm::TicketsManage => "tickets.manage",
            Perm::BillingCollect => "billing.collect",
            Perm::BillingManage => "billing.manage",
            Perm::RecordsBackdate => "records.backdate",
            Perm::NotifyManage => "notify.manage",
            Perm::AnnouncementsManage => "announcements.manage",
            Perm::SurveysManage => "surveys.manage",
            Perm::PatrolsManage => "patrols.manage",
            Perm::PatrolsWalk => "patrols.walk",
            Perm::DutyManage => "duty.manage",
            Perm::IncidentsManage => "incidents.manage",
            Perm::EquipmentManage => "equipment.manage",
            Perm::EquipmentWork => "equipment.work",
            Perm::FrontdeskManage => "frontdesk.manage",
            Perm::FrontdeskWork => "frontdesk.work",
            Perm::QualityManage => "quality.manage",
        }
    }
    pub fn parse(s: &str) -> Option<Perm> {
        Perm::ALL.into_iter().find(|p| p.code() == s)
    }
}

/// The communities an actor reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every community of the company (company admin).
    All,
    Only(BTreeSet<CommunityId>),
}

#[derive(Debug, Clone)]
pub struct Ctx {
    pub user_id: UserId,
    pub company_id: CompanyId,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub perms: BTreeSet<Perm>,
    pub scope: Scope,
    /// The user still has the initial password an admin set; the console allows nothing but
    /// changing it.
    pub must_change_password: bool,
}

impl Ctx {
    /// The system itself (demo seeding, CLI import run by the operator): every permission.
    pub fn system(company_id: CompanyId) -> Ctx {
        Ctx {
            user_id: UserId(0),
            company_id,
            username: "system".into(),
            display_name: "system".into(),
            role: "company_admin".into(),
            perms: Perm::ALL.into_iter().collect(),
            scope: Scope::All,
            must_change_password: false,
        }
    }

    /// The system doing one kind of work, named so in the audit log (`system:demo`,
    /// `system:import`, `system:job`): the console shows 演示数据, 导入, 定时任务.
    pub fn system_as(company_id: CompanyId, work: &str) -> Ctx {
        let mut c = Ctx::system(company_id);
        c.display_name = format!("system:{work}");
        c
    }

    pub fn has(&self, p: Perm) -> bool {
        self.perms.contains(&p)
    }

    pub fn require(&self, p: Perm) -> CoreResult<()> {
        if self.has(p) {
            Ok(())
        } else {
            Err(CoreError::Forbidden)
        }
    }

    pub fn reaches(&self, c: CommunityId) -> bool {
        match &self.scope {
            Scope::All => true,
            Scope::Only(set) => set.contains(&c),
        }
    }

    /// The permission, in this community. An unreachable community is `NotFound`.
    pub fn require_in(&self, p: Perm, c: CommunityId) -> CoreResult<()> {
        if !self.reaches(c) {
            return Err(CoreError::NotFound("community"));
        }
        self.require(p)
    }

    /// Ids for a `community_id IN (…)` filter; `None` means every community of the company.
    pub fn community_ids(&self) -> Option<Vec<CommunityId>> {
        match &self.scope {
            Scope::All => None,
            Scope::Only(set) => Some(set.iter().copied().collect()),
        }
    }

    /// Actor id for `created_by` columns and the audit log (`None` for the system).
    pub fn actor(&self) -> Option<UserId> {
        (self.user_id.0 != 0).then_some(self.user_id)
    }
}
