//! Request types and their pure rules: kinds, channels, states, the transitions between them
//! and who may take each action (the state machine and its permission matrix side by side, so
//! one reading shows both), the promise to the customer. The SLA clocks' rules are in `clocks`,
//! the records and inputs the services exchange in `records`.

use chrono::{DateTime, Duration, Utc};

use crate::shared::code_enum;

use super::error::TicketCode;

mod clocks;
mod records;
#[cfg(test)]
mod tests;

pub use clocks::*;
pub use records::*;

code_enum!(RequestKind, TicketCode::UnknownRequestKind, {
    RepairUnit = "repair_unit", "户内报修", "Repair (in unit)";
    RepairCommon = "repair_common", "公共报修", "Repair (common area)";
    ComplaintGeneral = "complaint_general", "一般投诉", "Complaint (general)";
    ComplaintSerious = "complaint_serious", "重大投诉", "Complaint (serious)";
    Inquiry = "inquiry", "咨询", "Inquiry";
    Suggestion = "suggestion", "建议", "Suggestion";
    Help = "help", "求助", "Help";
});

impl RequestKind {
    pub fn is_repair(self) -> bool {
        matches!(self, RequestKind::RepairUnit | RequestKind::RepairCommon)
    }
    pub fn is_complaint(self) -> bool {
        matches!(
            self,
            RequestKind::ComplaintGeneral | RequestKind::ComplaintSerious
        )
    }
}

code_enum!(Channel, TicketCode::UnknownChannel, {
    FrontDesk = "front_desk", "前台", "Front desk";
    Hotline = "hotline", "热线", "Hotline";
    Portal = "portal", "业主端", "Owner portal";
    Wechat = "wechat", "微信/App", "WeChat / app";
    Patrol = "patrol", "巡查发现", "Staff patrol";
    Internal = "internal", "内部", "Internal";
});

code_enum!(Urgency, TicketCode::UnknownUrgency, {
    Normal = "normal", "一般", "Normal";
    Urgent = "urgent", "紧急", "Urgent";
});

code_enum!(RequestState, TicketCode::UnknownRequestState, {
    Registered = "registered", "待派工", "Registered";
    Pooled = "pooled", "待抢单", "In the pool";
    Dispatched = "dispatched", "已派工", "Dispatched";
    Accepted = "accepted", "已接单", "Accepted";
    OnSite = "on_site", "已到场", "On site";
    OnHold = "on_hold", "挂起", "On hold";
    Done = "done", "待回访", "Done";
    Closed = "closed", "已关闭", "Closed";
    Cancelled = "cancelled", "已作废", "Cancelled";
});

impl RequestState {
    /// Still needs work or a return visit.
    pub fn is_open(self) -> bool {
        !matches!(self, RequestState::Closed | RequestState::Cancelled)
    }
    /// The states "done" may be reached from, and that hold may leave for.
    fn is_in_work(self) -> bool {
        matches!(
            self,
            RequestState::Registered
                | RequestState::Pooled
                | RequestState::Dispatched
                | RequestState::Accepted
                | RequestState::OnSite
        )
    }
}

code_enum!(ClockKind, TicketCode::UnknownClock, {
    Feedback = "feedback", "反馈客户", "Feedback to customer";
    OnSite = "on_site", "到场", "On site";
    Resolve = "resolve", "处理完成", "Resolved";
    Reply = "reply", "答复", "Reply";
    Solution = "solution", "解决方案", "Solution";
    Hotline = "hotline", "热线办结", "Hotline answered";
});

code_enum!(DispatchMode, TicketCode::UnknownDispatchMode, {
    Manual = "manual", "人工派工", "By hand";
    RoundRobin = "round_robin", "轮流派工", "Round-robin";
    Pool = "pool", "抢单", "Pool (grab)";
});

code_enum!(VisitPolicy, TicketCode::UnknownVisitPolicy, {
    Always = "always", "每单回访", "Always visit";
    Unrated = "unrated", "业主未评价时回访", "Visit when the owner did not rate";
});

code_enum!(VisitChannel, TicketCode::UnknownVisitChannel, {
    Phone = "phone", "电话回访", "Phone";
    Portal = "portal", "业主评价", "Owner's rating";
    Visit = "visit", "上门回访", "In person";
});

/// The categories a new company starts with (code, 中文, English, dispatch mode, visit policy).
pub const DEFAULT_CATEGORIES: &[(&str, &str, &str, DispatchMode, VisitPolicy)] = &[
    (
        "water",
        "给排水",
        "Water",
        DispatchMode::Manual,
        VisitPolicy::Unrated,
    ),
    (
        "power",
        "供电",
        "Power",
        DispatchMode::Manual,
        VisitPolicy::Unrated,
    ),
    (
        "elevator",
        "电梯",
        "Elevator",
        DispatchMode::Manual,
        VisitPolicy::Always,
    ),
    (
        "lighting",
        "公共照明",
        "Lighting",
        DispatchMode::Pool,
        VisitPolicy::Unrated,
    ),
    (
        "doors_locks",
        "门窗门锁",
        "Doors and locks",
        DispatchMode::Pool,
        VisitPolicy::Unrated,
    ),
    (
        "noise",
        "噪音",
        "Noise",
        DispatchMode::Manual,
        VisitPolicy::Always,
    ),
    (
        "sanitation",
        "环境卫生",
        "Sanitation",
        DispatchMode::RoundRobin,
        VisitPolicy::Unrated,
    ),
    (
        "greening",
        "绿化",
        "Greening",
        DispatchMode::RoundRobin,
        VisitPolicy::Unrated,
    ),
    (
        "parking",
        "停车",
        "Parking",
        DispatchMode::Manual,
        VisitPolicy::Unrated,
    ),
    (
        "fees",
        "收费",
        "Fees",
        DispatchMode::Manual,
        VisitPolicy::Always,
    ),
    (
        "other",
        "其他",
        "Other",
        DispatchMode::Manual,
        VisitPolicy::Unrated,
    ),
];

code_enum!(EventAction, TicketCode::UnknownAction, {
    Register = "register", "登记", "Registered";
    Dispatch = "dispatch", "派工", "Dispatched";
    Transfer = "transfer", "转派", "Transferred";
    ToPool = "to_pool", "退回抢单池", "Returned to the pool";
    Grab = "grab", "抢单", "Grabbed";
    Accept = "accept", "接单", "Accepted";
    OnSite = "on_site", "到场", "On site";
    Done = "done", "完成", "Done";
    Hold = "hold", "挂起", "Put on hold";
    Resume = "resume", "恢复", "Resumed";
    Escalate = "escalate", "升级", "Escalated";
    Feedback = "feedback", "反馈客户", "Feedback given";
    Postpone = "postpone", "延期承诺", "Promise postponed";
    Rate = "rate", "业主评价", "Rated by the owner";
    Visit = "visit", "回访", "Return visit";
    Reopen = "reopen", "重新打开", "Reopened";
    Close = "close", "关闭", "Closed";
    Cancel = "cancel", "作废", "Cancelled";
    ClockWarning = "clock_warning", "时限预警", "Clock warning";
    ClockBreach = "clock_breach", "超时升级", "Clock breached";
});

/// The state after `action` in `state`, or the error code (a [`TicketCode`]'s) of an illegal
/// transition. (Who may
/// act is checked by the service; this is only the order of the work.)
pub fn transition(state: RequestState, action: EventAction) -> Result<RequestState, TicketCode> {
    use EventAction as A;
    use RequestState as S;
    let next = match (action, state) {
        (A::Dispatch, S::Registered | S::Pooled) => S::Dispatched,
        (A::Transfer, S::Dispatched | S::Accepted | S::OnSite) => S::Dispatched,
        (A::Dispatch, S::Dispatched | S::Accepted | S::OnSite) => {
            return Err(TicketCode::UseTransfer);
        }
        (A::ToPool, S::Registered | S::Dispatched | S::Accepted) => S::Pooled,
        (A::Grab, S::Pooled) => S::Accepted,
        (A::Accept, S::Dispatched) => S::Accepted,
        (A::OnSite, S::Accepted) => S::OnSite,
        (A::Done, s) if s.is_in_work() && s != S::Pooled => S::Done,
        (A::Hold, s) if s.is_in_work() => S::OnHold,
        (A::Escalate | A::Feedback | A::Postpone, s) if s.is_open() => s,
        (A::Rate | A::Visit, S::Done) => S::Done,
        (A::Reopen, S::Done | S::Closed) => S::Registered,
        (A::Close, S::Done) => S::Closed,
        (A::Cancel, S::Registered | S::Pooled | S::Dispatched | S::OnHold) => S::Cancelled,
        (A::Accept | A::OnSite | A::Grab, _) => {
            return Err(TicketCode::RequestNotAssignable);
        }
        (A::Close | A::Visit | A::Rate, _) => return Err(TicketCode::RequestNotDone),
        // Resuming returns to the state the request was held in, which the caller knows.
        (A::Resume, _) => return Err(TicketCode::RequestNotOnHold),
        _ => return Err(TicketCode::IllegalTransition),
    };
    Ok(next)
}

/// The default promise to the customer: two days after registration.
pub const DEFAULT_PROMISE: Duration = Duration::days(2);
/// A promise never reaches beyond a week after registration.
pub const MAX_PROMISE: Duration = Duration::days(7);

/// Checks a promise (first or postponed) against the week limit; the error code, if any.
pub fn check_promise(
    created: DateTime<Utc>,
    promise: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), TicketCode> {
    if promise > created + MAX_PROMISE {
        return Err(TicketCode::PromiseBeyond7Days);
    }
    if promise <= now {
        return Err(TicketCode::PromiseInPast);
    }
    Ok(())
}

/// A satisfaction score below this reopens the request (1 very unsatisfied … 5 very satisfied).
pub const SATISFIED_FROM: i64 = 3;

/// A worker holds the order: dispatching it again is a transfer.
pub fn is_in_hand(s: RequestState) -> bool {
    matches!(
        s,
        RequestState::Dispatched | RequestState::Accepted | RequestState::OnSite
    )
}

/// Who the actor is to one request, for [`may_act`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Actor {
    /// Dispatches or manages requests (`tickets.dispatch` or `tickets.manage`).
    pub dispatcher: bool,
    /// Works orders (`tickets.work`).
    pub worker: bool,
    /// The request's assignee.
    pub assignee: bool,
    /// The request's first responder (首问), who registered it.
    pub first_responder: bool,
}

/// The permission matrix: may `who` take `action` on a request in `state`? (Whether the state
/// allows the action at all is [`transition`]'s question; the service asks both.)
pub fn may_act(action: EventAction, state: RequestState, who: Actor) -> bool {
    use EventAction as A;
    match action {
        A::Dispatch | A::Transfer | A::Cancel | A::Visit | A::Close => who.dispatcher,
        // A request back at the desk (reopened) is not the last assignee's until dispatched again.
        A::ToPool | A::Hold => who.dispatcher || (who.assignee && is_in_hand(state)),
        A::Resume => who.dispatcher || who.assignee,
        A::Escalate | A::Feedback | A::Postpone => who.dispatcher || who.first_responder,
        A::Grab => who.worker,
        A::Accept | A::OnSite => who.worker,
        // The assignee finishes the work; at the desk, a request never dispatched (an inquiry
        // answered on the spot) may be finished by its dispatcher.
        A::Done => {
            (who.assignee && is_in_hand(state))
                || (who.dispatcher && state == RequestState::Registered)
        }
        _ => false,
    }
}
