//! The rules of notifications, with no I/O: the kinds of event and what each says, the
//! channels, the wording (templates with `{placeholder}`s, checked against the event's own list),
//! the quiet hours in which no SMS goes out, and how long a failed message waits before the next
//! try.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::error::NotifyCode;
use crate::shared::error::FieldError;

/// A channel outside the app. In-app messages are written with the event itself, always.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[schema(as = NotifyChannel)]
pub enum Channel {
    Email,
    Sms,
    Wechat,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Email, Channel::Sms, Channel::Wechat];
    pub fn code(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Wechat => "wechat",
        }
    }
    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.code() == s)
    }
}

/// Who hears of an event: the owner (through his portal account) or the staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = NotifyAudience)]
pub enum Audience {
    Owner,
    Staff,
}

macro_rules! events {
    ($( $(#[$m:meta])* $v:ident = $code:literal, $aud:ident, $emergency:literal,
        [$($ch:ident),*], [$($p:literal),*],
        $zs:literal, $zb:literal, $es:literal, $eb:literal; )*) => {
        /// Every kind of event someone hears about.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        #[schema(as = NotifyEvent)]
        pub enum Event { $($(#[$m])* $v),* }

        impl Event {
            pub const ALL: &'static [Event] = &[$(Event::$v),*];
            pub fn code(self) -> &'static str { match self { $(Event::$v => $code),* } }
            pub fn parse(s: &str) -> Option<Event> {
                Event::ALL.iter().copied().find(|e| e.code() == s)
            }
            pub fn audience(self) -> Audience { match self { $(Event::$v => Audience::$aud),* } }
            /// Sent at once, quiet hours or not (停水停电).
            pub fn emergency(self) -> bool { match self { $(Event::$v => $emergency),* } }
            /// The outside channels a person gets when he has chosen none himself.
            pub fn default_channels(self) -> &'static [Channel] {
                match self { $(Event::$v => &[$(Channel::$ch),*]),* }
            }
            /// The placeholders the event fills, in the order SMS templates take them.
            pub fn placeholders(self) -> &'static [&'static str] {
                match self { $(Event::$v => &[$($p),*]),* }
            }
            /// The built-in wording: (subject, body) in zh-CN or en.
            pub fn builtin(self, locale: Locale) -> (&'static str, &'static str) {
                match (self, locale) {
                    $((Event::$v, Locale::ZhCn) => ($zs, $zb),
                      (Event::$v, Locale::En) => ($es, $eb)),*
                }
            }
        }
    };
}

events! {
    /// A request the owner reported was registered.
    RequestRegistered = "request_registered", Owner, false, [Wechat], ["number", "location", "community"],
        "报事已受理 {number}", "您在{community}报的事项（{location}）已受理，单号 {number}。我们会尽快处理。",
        "Request {number} received", "Your request at {community} ({location}) was received as {number}. We are on it.";
    /// Someone was sent to it.
    RequestDispatched = "request_dispatched", Owner, false, [Wechat], ["number", "worker", "community"],
        "已派工 {number}", "您的报事 {number} 已派给 {worker} 处理。",
        "Request {number} dispatched", "Your request {number} was given to {worker}.";
    /// It is done: the owner is asked to confirm and rate it.
    RequestDone = "request_done", Owner, false, [Wechat, Sms], ["number", "community"],
        "已完成 {number}", "您的报事 {number} 已处理完成，请在业主端确认并评价。",
        "Request {number} done", "Your request {number} is done. Please confirm and rate it in the portal.";
    /// A clock of a request is close to its deadline.
    SlaWarning = "sla_warning", Staff, false, [Email, Wechat], ["number", "clock", "due", "community"],
        "即将超时 {number}", "{community} 报事 {number} 的{clock}将于 {due} 到期。",
        "Request {number} nearly due", "{community}: the {clock} of request {number} is due at {due}.";
    /// A clock of a request ran out.
    SlaBreach = "sla_breach", Staff, false, [Email, Wechat, Sms], ["number", "clock", "due", "community"],
        "已超时 {number}", "{community} 报事 {number} 的{clock}已于 {due} 超时，请立即处理。",
        "Request {number} overdue", "{community}: the {clock} of request {number} ran out at {due}. Act now.";
    /// A bill run posted the unit's charges of a period.
    BillPosted = "bill_posted", Owner, false, [Wechat, Email], ["unit", "period", "amount", "community"],
        "{period} 账单 {unit}", "{community} {unit} {period} 应缴 {amount} 元，请按时缴纳。",
        "Bill {period} for {unit}", "{community} {unit}: {amount} yuan due for {period}.";
    /// A reminder of arrears (催缴).
    BillReminder = "bill_reminder", Owner, false, [Wechat, Sms, Email], ["unit", "amount", "community"],
        "缴费提醒 {unit}", "{community} {unit} 尚欠物业费等 {amount} 元，请尽快缴纳。如已缴纳请忽略。",
        "Payment reminder for {unit}", "{community} {unit}: {amount} yuan is still owed. Please pay soon; ignore this if you have paid.";
    /// A payment was taken and its receipt issued.
    ReceiptIssued = "receipt_issued", Owner, false, [Wechat, Email], ["unit", "receipt", "amount", "community"],
        "收据 {receipt}", "{community} {unit} 已收款 {amount} 元，收据号 {receipt}。",
        "Receipt {receipt}", "{community} {unit}: {amount} yuan received, receipt {receipt}.";
    /// A notice was published.
    NoticePublished = "notice_published", Owner, false, [Wechat], ["title", "community"],
        "公告：{title}", "{community} 发布了公告《{title}》，请在业主端查看。",
        "Notice: {title}", "{community} published a notice: {title}. Read it in the portal.";
    /// A notice of a cut in water or power (停水停电): at once, quiet hours or not.
    NoticeEmergency = "notice_emergency", Owner, true, [Wechat, Sms], ["title", "community"],
        "紧急通知：{title}", "{community} 紧急通知《{title}》，请在业主端查看详情。",
        "Urgent: {title}", "{community} urgent notice: {title}. Details in the portal.";
    /// A community activity opened for sign-up.
    ActivityOpened = "activity_opened", Owner, false, [Wechat], ["title", "date", "community"],
        "社区活动：{title}", "{community} 将于 {date} 举办“{title}”，欢迎在业主端报名。",
        "Activity: {title}", "{community} holds \"{title}\" on {date}. Sign up in the portal.";
    /// A seat of an activity came free for the first on its waiting list.
    ActivitySeat = "activity_seat", Owner, false, [Wechat], ["title", "date", "community"],
        "报名成功：{title}", "{community}“{title}”（{date}）有名额空出，您已从候补转为正式报名，请准时参加。",
        "Seat confirmed: {title}", "{community}: a seat of \"{title}\" ({date}) came free and is yours now.";
    /// A satisfaction survey opened.
    SurveyOpened = "survey_opened", Owner, false, [Wechat], ["title", "until", "community"],
        "满意度调查：{title}", "{community} 邀请您参加“{title}”，{until} 截止，请在业主端填写。",
        "Survey: {title}", "{community} invites you to \"{title}\" until {until}. Answer it in the portal.";
    /// An incident was reported and its plan activated: its first level is told at once.
    IncidentOpened = "incident_opened", Staff, true, [Wechat, Sms], ["title", "place", "kind", "community"],
        "突发事件：{title}", "{community} 发生{kind}：{title}（{place}），应急预案已启动，请立即响应。",
        "Incident: {title}", "{community}: {kind}, {title} at {place}. The plan is active; respond now.";
    /// Nobody acknowledged an incident in time: the next level of its ladder is told.
    IncidentEscalated = "incident_escalated", Staff, true, [Wechat, Sms], ["title", "place", "level", "community"],
        "突发事件升级：{title}", "{community} 突发事件“{title}”（{place}）未及时响应，已升级至第{level}级，请立即处理。",
        "Incident escalated: {title}", "{community}: incident \"{title}\" at {place} was not acknowledged in time and is escalated to level {level}.";
    /// The service centre replied to an opinion the owner gave (a survey comment, a complaint,
    /// a suggestion).
    OpinionReplied = "opinion_replied", Owner, false, [Wechat], ["opinion", "reply", "community"],
        "意见回复", "{community} 回复了您的意见“{opinion}”：{reply}",
        "Reply to your opinion", "{community} replied to your opinion \"{opinion}\": {reply}";
    /// A patrol round ended unfinished: its supervisor hears of it.
    PatrolMissed = "patrol_missed", Staff, false, [Wechat], ["plan", "start", "scanned", "community"],
        "巡检未完成：{plan}", "{community}“{plan}”（{start} 开始）到时未完成，已巡 {scanned} 个点，请跟进。",
        "Patrol missed: {plan}", "{community}: \"{plan}\" (from {start}) ended unfinished, {scanned} checkpoints scanned.";
    /// A maintenance order passed its due date without being done.
    MaintenanceOverdue = "maintenance_overdue", Staff, false, [Wechat, Email], ["title", "due", "community"],
        "保养逾期：{title}", "{community} 保养工单“{title}”已于 {due} 到期仍未完成，请尽快处理。",
        "Maintenance overdue: {title}", "{community}: the maintenance order \"{title}\" was due on {due} and is not done.";
    /// A rectification task (整改) of a quality audit is the person's, with its deadline.
    RectificationAssigned = "rectification_assigned", Staff, false, [Wechat, Email], ["number", "item", "due", "community"],
        "整改任务：{item}", "{community} 品质核查整改 {number}“{item}”由您负责，请于 {due} 前完成并记录整改情况。",
        "Rectification: {item}", "{community}: the audit rectification {number} \"{item}\" is yours; finish and record it by {due}.";
    /// A rectification task passed its deadline while still being rectified.
    RectificationOverdue = "rectification_overdue", Staff, false, [Wechat, Email], ["number", "item", "due", "community"],
        "整改逾期：{item}", "{community} 品质核查整改 {number}“{item}”已于 {due} 到期仍未完成，请尽快处理。",
        "Rectification overdue: {item}", "{community}: the audit rectification {number} \"{item}\" was due at {due} and is not done.";
    /// A parcel or letter is held at the desk for the person: its pick-up code.
    ParcelArrived = "parcel_arrived", Owner, false, [Wechat, Sms], ["carrier", "code", "community"],
        "快递到了：取件码 {code}", "{community} 服务中心为您代收了{carrier}，取件码 {code}，请凭取件码或证件到前台领取。",
        "Parcel held: code {code}", "{community}: the service centre holds your {carrier}. Pick it up at the desk with code {code} or your ID.";
    /// A parcel held for long: the person is reminded.
    ParcelReminder = "parcel_reminder", Owner, false, [Wechat, Sms], ["carrier", "code", "days", "community"],
        "快递待取提醒：取件码 {code}", "{community} 服务中心代收的{carrier}已存放 {days} 天，取件码 {code}，请尽快领取，逾期将退回。",
        "Parcel waiting: code {code}", "{community}: your {carrier} has waited {days} days at the desk (code {code}). Please pick it up soon or it is returned.";
    /// A visitor registered at the desk for the owner's unit: he confirms or refuses in the
    /// portal.
    VisitorArrived = "visitor_arrived", Owner, false, [Wechat, Sms], ["visitor", "unit", "community"],
        "访客到访：{visitor}", "{community} 门岗登记了来访 {unit} 的访客 {visitor}，请在业主端确认或拒绝。",
        "Visitor: {visitor}", "{community}: the gate registered {visitor} visiting {unit}. Please confirm or refuse in the portal.";
    /// A key lent from the cabinet is not back by its due time: its borrower and the cabinet's
    /// keeper hear of it, once.
    KeyOverdue = "key_overdue", Staff, false, [Wechat], ["code", "opens", "borrower", "due", "community"],
        "钥匙逾期未还：{code}", "{community} 钥匙 {code}（{opens}）借给 {borrower}，应于 {due} 归还，至今未还，请跟进。",
        "Key overdue: {code}", "{community}: key {code} ({opens}) lent to {borrower} was due back at {due} and is not back.";
    /// An item lent at the desk (an umbrella, a ladder) is not back by its due time: the
    /// borrower hears of it, once.
    ItemLoanOverdue = "item_loan_overdue", Owner, false, [Wechat, Sms], ["item", "quantity", "due", "community"],
        "借用物品请归还：{item}", "{community} 您在服务中心借用的{item} × {quantity} 应于 {due} 归还，请尽快送还前台。",
        "Please return: {item}", "{community}: the {item} × {quantity} you borrowed at the service centre was due back at {due}. Please bring it back to the desk.";
}

/// The two languages of messages (a person's choice; zh-CN by default).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[schema(as = NotifyLocale)]
pub enum Locale {
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];
    pub fn code(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.code() == s)
    }
}

/// The placeholders a text uses, in order of appearance (`{name}`; `{{` is a literal brace).
fn placeholders_in(text: &str) -> Result<Vec<&str>, ()> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            rest = &tail[2..];
            continue;
        }
        if tail.starts_with('}') {
            return Err(());
        }
        let end = tail.find('}').ok_or(())?;
        let name = &tail[1..end];
        if name.is_empty() || name.contains('{') {
            return Err(());
        }
        out.push(name);
        rest = &tail[end + 1..];
    }
    Ok(out)
}

/// Checks a company's wording of `event`: every placeholder must be one the event fills.
pub fn check_template(event: Event, field: &str, text: &str) -> Result<(), FieldError> {
    let names =
        placeholders_in(text).map_err(|()| FieldError::new(field, NotifyCode::TemplateBraces))?;
    match names
        .into_iter()
        .find(|n| !event.placeholders().contains(n))
    {
        Some(n) => Err(FieldError::new(field, NotifyCode::UnknownPlaceholder).with("name", n)),
        None => Ok(()),
    }
}

/// Fills a checked template. A placeholder with no value stays empty.
pub fn render(text: &str, params: &[(String, String)]) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        match tail.find('}') {
            Some(end) if tail.starts_with('{') => {
                let name = &tail[1..end];
                if let Some((_, v)) = params.iter().find(|(k, _)| k == name) {
                    out.push_str(v);
                }
                rest = &tail[end + 1..];
            }
            _ => {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// No SMS between these hours of the community's day, except an emergency's.
pub const QUIET_FROM: (u32, u32) = (22, 0);
pub const QUIET_UNTIL: (u32, u32) = (8, 0);

/// When a message on `channel` may go out: `at`, or the end of the quiet hours for an SMS that
/// is not an emergency.
pub fn not_before(channel: Channel, emergency: bool, at: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    if channel != Channel::Sms || emergency {
        return at;
    }
    let local = at.with_timezone(&tz);
    let t = local.time();
    let from = NaiveTime::from_hms_opt(QUIET_FROM.0, QUIET_FROM.1, 0).unwrap_or(NaiveTime::MIN);
    let until = NaiveTime::from_hms_opt(QUIET_UNTIL.0, QUIET_UNTIL.1, 0).unwrap_or(NaiveTime::MIN);
    let day = if t >= from {
        local.date_naive() + Duration::days(1)
    } else if t < until {
        local.date_naive()
    } else {
        return at;
    };
    tz.from_local_datetime(&day.and_time(until))
        .earliest()
        .map_or(at, |d| d.with_timezone(&Utc))
}

/// How many tries a message gets before it is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// The wait after the `attempts`-th failed try: 30 s, 1, 2, 4 … min, at most an hour.
pub fn backoff(attempts: i64) -> Duration {
    let n = attempts.clamp(1, 20) - 1;
    Duration::seconds((30i64 << n.min(7)).min(3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_builtin_wording_uses_only_its_events_placeholders() {
        for e in Event::ALL {
            for l in Locale::ALL {
                let (s, b) = e.builtin(l);
                assert!(check_template(*e, "subject", s).is_ok(), "{e:?} {l:?} {s}");
                assert!(check_template(*e, "body", b).is_ok(), "{e:?} {l:?} {b}");
            }
            assert_eq!(Event::parse(e.code()), Some(*e));
        }
    }

    #[test]
    fn a_template_names_its_unknown_placeholder() {
        let e = check_template(Event::RequestDone, "body", "单号 {number}，费用 {amount}")
            .expect_err("amount is not a request_done placeholder");
        assert_eq!(e.field, "body");
        assert_eq!(e.params, [("name", "amount".to_string())]);
        assert!(check_template(Event::RequestDone, "body", "坏的 {number").is_err());
        assert!(check_template(Event::RequestDone, "body", "坏的 number}").is_err());
        assert!(check_template(Event::RequestDone, "body", "{{字面}} {number}").is_ok());
    }

    #[test]
    fn rendering_fills_and_keeps_literal_braces() {
        let out = render(
            "{{注意}} 报事 {number} 在 {community}{missing}",
            &p(&[("number", "BX-1"), ("community", "阳光花园")]),
        );
        assert_eq!(out, "{注意} 报事 BX-1 在 阳光花园");
    }

    #[test]
    fn no_sms_between_ten_at_night_and_eight_in_the_morning() {
        let tz: Tz = chrono_tz::Asia::Shanghai;
        let at = |y, m, d, h, min| {
            tz.with_ymd_and_hms(y, m, d, h, min, 0)
                .single()
                .expect("a time")
                .with_timezone(&Utc)
        };
        // 22:30 → 08:00 the next morning; 03:00 → 08:00 the same morning; 12:00 stays.
        assert_eq!(
            not_before(Channel::Sms, false, at(2026, 12, 4, 22, 30), tz),
            at(2026, 12, 5, 8, 0)
        );
        assert_eq!(
            not_before(Channel::Sms, false, at(2026, 12, 5, 3, 0), tz),
            at(2026, 12, 5, 8, 0)
        );
        assert_eq!(
            not_before(Channel::Sms, false, at(2026, 12, 5, 21, 59), tz),
            at(2026, 12, 5, 21, 59)
        );
        assert_eq!(
            not_before(Channel::Sms, false, at(2026, 12, 5, 8, 0), tz),
            at(2026, 12, 5, 8, 0)
        );
        // An emergency and the other channels go at once.
        assert_eq!(
            not_before(Channel::Sms, true, at(2026, 12, 4, 23, 0), tz),
            at(2026, 12, 4, 23, 0)
        );
        assert_eq!(
            not_before(Channel::Email, false, at(2026, 12, 4, 23, 0), tz),
            at(2026, 12, 4, 23, 0)
        );
    }

    #[test]
    fn backoff_doubles_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(5), Duration::seconds(480));
        assert_eq!(backoff(8), Duration::seconds(3600));
        assert_eq!(backoff(30), Duration::seconds(3600));
    }
}
