//! The JSON API under `/api/v1`. Each module registers its routes together with their OpenAPI
//! docs (`routes!`), so no route can be left out of `/api/openapi.json`.

mod activities;
mod admin;
mod audit;
mod auth;
pub(crate) mod billing;
mod campaigns;
mod community;
mod dashboard;
mod decorations;
mod deskservices;
mod duty;
mod equipment;
mod frontdesk;
pub mod import;
mod incidents;
mod kpis;
mod lending;
mod moveins;
mod moveouts;
mod notify;
mod opening;
mod patrols;
mod periodicals;
mod portal;
mod quality;
mod rectifications;
mod registry;
mod releases;
mod surveys;
mod switch_report;
mod switching;
mod tickets;
mod venues;
mod visitors;

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    modules()
        .into_iter()
        .fold(OpenApiRouter::new(), OpenApiRouter::merge)
}

/// Each module's routes with their docs.
fn modules() -> Vec<OpenApiRouter<AppState>> {
    vec![
        auth::router(),
        registry::router(),
        admin::router(),
        audit::router(),
        import::router(),
        tickets::router(),
        notify::router(),
        community::router(),
        activities::router(),
        portal::router(),
        billing::router(),
        switching::router(),
        opening::router(),
        switch_report::router(),
        surveys::router(),
        patrols::router(),
        duty::router(),
        incidents::router(),
        equipment::router(),
        frontdesk::router(),
        visitors::router(),
        lending::router(),
        deskservices::router(),
        moveouts::router(),
        moveins::router(),
        releases::router(),
        venues::router(),
        decorations::router(),
        periodicals::router(),
        dashboard::router(),
        kpis::router(),
        campaigns::router(),
        quality::router(),
        rectifications::router(),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    /// Two modules naming different schemas alike would have one silently replace the other in
    /// the merged document (a response then violates its documented schema).
    #[test]
    fn no_two_modules_document_different_schemas_under_one_name() {
        let mut seen: BTreeMap<String, (usize, serde_json::Value)> = BTreeMap::new();
        for (i, m) in super::modules().into_iter().enumerate() {
            let doc = m.into_openapi();
            let Some(comps) = doc.components else {
                continue;
            };
            for (name, schema) in comps.schemas {
                let v = serde_json::to_value(&schema).expect("schema");
                if let Some((j, other)) = seen.get(&name) {
                    assert_eq!(
                        other, &v,
                        "schema {name} differs between modules {j} and {i}"
                    );
                } else {
                    seen.insert(name, (i, v));
                }
            }
        }
        assert!(seen.len() > 50, "{}", seen.len());
    }
}
