//! The console's navigation bar, built in one place from what the user may do (issue 12,
//! point 6): every page a role may use is reachable, the current page is marked, and the bar
//! fits one line at 1366 px by keeping the daily pages on it and the rest in two menus
//! (`<details>`, no script needed).

use super::Shell;

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    /// The element id browser tests and scripts find the link by.
    pub id: &'static str,
    pub current: bool,
}

pub enum NavItem {
    Link(NavLink),
    Menu {
        label: &'static str,
        id: &'static str,
        links: Vec<NavLink>,
        current: bool,
    },
}

/// Whether `href` is the page at `path` or one under it (`/requests/12` is under 报事报修).
fn is_current(href: &str, path: &str) -> bool {
    match href {
        "/" => path == "/",
        "/billing" => path == "/billing",
        "/portal" => {
            path == "/portal" || path == "/portal/new" || path.starts_with("/portal/requests")
        }
        "/requests" => {
            path == "/requests"
                || (path.starts_with("/requests/")
                    && !path.starts_with("/requests/stats")
                    && !path.starts_with("/requests/complaints"))
        }
        h => path == h || path.starts_with(&format!("{h}/")),
    }
}

impl Shell {
    pub fn nav(&self) -> Vec<NavItem> {
        let link = |href: &'static str, key: &str, id: &'static str| NavLink {
            href,
            label: self.t(key),
            id,
            current: is_current(href, &self.path),
        };
        let staff = !self.is_owner && !self.is_committee;
        let mut bar = vec![NavItem::Link(link("/", "nav.home", "nav-home"))];
        if self.can_read {
            bar.push(NavItem::Link(link("/search", "nav.search", "nav-search")));
            bar.push(NavItem::Link(link("/people", "nav.people", "nav-people")));
        }
        if self.is_owner {
            bar.push(NavItem::Link(link(
                "/portal",
                "portal.my_requests",
                "nav-portal",
            )));
            bar.push(NavItem::Link(link(
                "/portal/billing",
                "bl.my_bills",
                "nav-my-bills",
            )));
            bar.push(NavItem::Link(link(
                "/portal/notices",
                "an.nav",
                "nav-my-notices",
            )));
            bar.push(NavItem::Link(link(
                "/portal/activities",
                "ac.nav",
                "nav-my-activities",
            )));
            bar.push(NavItem::Link(link(
                "/portal/surveys",
                "sv.my_surveys",
                "nav-my-surveys",
            )));
            bar.push(NavItem::Link(link(
                "/portal/visitors",
                "fd.my_visitors",
                "nav-my-visitors",
            )));
            bar.push(NavItem::Link(link(
                "/portal/parcels",
                "fd.my_parcels",
                "nav-my-parcels",
            )));
            bar.push(NavItem::Link(link(
                "/portal/releases",
                "fd.my_releases",
                "nav-my-releases",
            )));
            bar.push(NavItem::Link(link(
                "/portal/venues",
                "fd.my_venues",
                "nav-my-venues",
            )));
            bar.push(NavItem::Link(link(
                "/portal/decorations",
                "dec.my_decorations",
                "nav-my-decorations",
            )));
            bar.push(NavItem::Link(link(
                "/portal/move-ins",
                "mi.my_move_ins",
                "nav-my-move-ins",
            )));
            bar.push(NavItem::Link(link(
                "/portal/periodicals",
                "bk.my_periodicals",
                "nav-my-periodicals",
            )));
        }
        if self.is_committee {
            bar.push(NavItem::Link(link(
                "/committee",
                "cm.accounts",
                "nav-committee",
            )));
        }
        if self.can_register || self.can_dispatch {
            bar.push(NavItem::Link(link(
                "/requests",
                "tk.requests",
                "nav-requests",
            )));
        }
        if self.can_register {
            bar.push(NavItem::Link(link("/calls", "tk.calls", "nav-calls")));
        }
        if self.can_work {
            bar.push(NavItem::Link(link(
                "/m/orders",
                "tk.my_orders",
                "nav-orders",
            )));
        }
        if staff {
            bar.push(NavItem::Link(link("/duty", "du.nav", "nav-duty")));
        }
        // A technician's daily page on the bar; the managers reach it from 管理.
        if self.can_equipment && !self.can_equipment_manage {
            bar.push(NavItem::Link(link(
                "/maintenance/orders",
                "eq.nav",
                "nav-maintenance",
            )));
        }
        if self.can_announce {
            bar.push(NavItem::Link(link("/notices", "an.nav", "nav-notices")));
        }
        if self.can_collect {
            bar.push(NavItem::Link(link("/cashier", "bl.cashier", "nav-cashier")));
        }
        if self.can_bill {
            bar.push(NavItem::Link(link("/billing", "bl.setup", "nav-billing")));
        }
        let mut billing = Vec::new();
        if self.can_collect {
            billing.push(link("/daily-close", "bl.daily_close", "nav-daily-close"));
            billing.push(link("/billing/arrears", "bl.arrears", "nav-arrears"));
            billing.push(link("/billing/reports", "bl.reports", "nav-reports"));
            billing.push(link("/billing/meters", "bl.meters", "nav-meters"));
        }
        if self.can_bill {
            billing.push(link("/billing/schedule", "bl.schedule", "nav-schedule"));
            billing.push(link("/billing/switching", "sw.nav", "nav-switching"));
        }
        push_menu(&mut bar, self.t("nav.billing"), "nav-billing-menu", billing);
        let mut manage = Vec::new();
        if self.can_tickets_manage {
            manage.push(link("/dashboard", "db.title", "nav-dashboard"));
            manage.push(link("/kpis", "kp.title", "nav-kpis"));
            manage.push(link("/requests/stats", "tk.stats", "nav-stats"));
            manage.push(link(
                "/request-settings",
                "tk.settings",
                "nav-request-settings",
            ));
        }
        if self.can_tickets_manage || self.can_manage || self.can_dispatch {
            manage.push(link("/calendar", "tk.calendar", "nav-calendar"));
        }
        if self.can_write {
            manage.push(link("/import", "nav.import", "nav-import"));
        }
        if self.can_users {
            manage.push(link("/admin/users", "nav.users", "nav-users"));
        }
        if self.can_audit {
            manage.push(link("/audit", "nav.audit", "nav-audit"));
        }
        if self.can_notify {
            manage.push(link(
                "/admin/notify/templates",
                "nt.templates",
                "nav-notify-templates",
            ));
            manage.push(link("/outbox", "nt.outbox", "nav-outbox"));
        }
        if self.can_announce {
            manage.push(link("/activities", "ac.nav", "nav-activities"));
            manage.push(link("/board", "an.board", "nav-board"));
        }
        if self.can_surveys {
            manage.push(link("/surveys", "sv.surveys", "nav-surveys"));
            manage.push(link("/opinions", "sv.opinions", "nav-opinions"));
        }
        if self.can_equipment {
            manage.push(link("/equipment", "eq.ledger", "nav-equipment"));
            if self.can_equipment_manage {
                manage.push(link(
                    "/maintenance/orders",
                    "eq.orders",
                    "nav-equipment-orders",
                ));
            }
            manage.push(link(
                "/maintenance/plans",
                "eq.plans",
                "nav-equipment-plans",
            ));
            manage.push(link("/machine-rooms", "eq.rooms", "nav-machine-rooms"));
        }
        if self.can_quality {
            manage.push(link("/audits", "qa.audits", "nav-audits"));
            manage.push(link("/audit-sheets", "qa.sheets", "nav-audit-sheets"));
            manage.push(link("/quality-report", "qa.report", "nav-quality-report"));
        }
        if self.can_campaigns {
            manage.push(link(
                "/quality-campaigns",
                "qc.campaigns",
                "nav-quality-campaigns",
            ));
        }
        if staff {
            manage.push(link(
                "/rectifications",
                "qa.rectifications",
                "nav-rectifications",
            ));
        }
        if self.can_desk {
            manage.push(link("/visitors", "fd.visitors", "nav-visitors"));
            manage.push(link("/parcels", "fd.parcels", "nav-parcels"));
            manage.push(link("/periodicals", "bk.periodicals", "nav-periodicals"));
            manage.push(link("/keys", "fd.keys", "nav-keys"));
            manage.push(link("/key-loans", "fd.loans", "nav-key-loans"));
            manage.push(link("/lending", "fd.lending", "nav-lending"));
            manage.push(link("/releases", "fd.releases", "nav-releases"));
            manage.push(link("/guard", "fd.guard", "nav-guard"));
            manage.push(link("/venues", "fd.venues", "nav-venues"));
            manage.push(link("/move-outs", "fd.move_outs", "nav-move-outs"));
            manage.push(link("/decorations", "dec.decorations", "nav-decorations"));
            manage.push(link("/move-ins", "mi.move_ins", "nav-move-ins"));
            manage.push(link(
                "/desk-services",
                "fd.desk_services",
                "nav-desk-services",
            ));
        }
        if self.can_patrols {
            manage.push(link("/patrols", "pc.nav", "nav-patrols"));
        } else if self.can_patrol_walk {
            manage.push(link("/patrol", "pt.app_title", "nav-patrol-app"));
        }
        if staff {
            manage.push(link("/handovers", "du.handovers", "nav-handovers"));
            manage.push(link("/incidents", "ic.incidents", "nav-incidents"));
            manage.push(link("/plans", "ic.plans", "nav-plans"));
            manage.push(link("/drills", "ic.drills", "nav-drills"));
            manage.push(link("/tokens", "nav.tokens", "nav-tokens"));
        }
        push_menu(&mut bar, self.t("nav.manage"), "nav-manage-menu", manage);
        bar
    }
}

fn push_menu(bar: &mut Vec<NavItem>, label: &'static str, id: &'static str, links: Vec<NavLink>) {
    if links.is_empty() {
        return;
    }
    let current = links.iter().any(|l| l.current);
    bar.push(NavItem::Menu {
        label,
        id,
        links,
        current,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_page_is_the_one_at_or_under_its_link() {
        assert!(is_current("/", "/"));
        assert!(!is_current("/", "/people"));
        assert!(is_current("/requests", "/requests/12"));
        assert!(!is_current("/requests", "/requests/stats"));
        assert!(is_current("/requests/stats", "/requests/stats"));
        assert!(is_current("/billing", "/billing"));
        assert!(!is_current("/billing", "/billing/arrears"));
        assert!(is_current("/billing/arrears", "/billing/arrears"));
        assert!(!is_current("/people", "/peoplex"));
        assert!(is_current("/portal", "/portal/requests/3"));
        assert!(!is_current("/portal", "/portal/billing"));
    }
}
