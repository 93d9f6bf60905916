//! The OpenAPI 3 document (`/api/openapi.json`) and its browsable page (`/api/docs`, served from
//! files compiled into the binary, so it works offline).

use axum::Router;
use std::collections::BTreeMap;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{
    ContentBuilder, InfoBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder,
};
use utoipa_swagger_ui::SwaggerUi;

use crate::AppState;

pub fn finish(mut doc: OpenApi) -> OpenApi {
    doc.info = InfoBuilder::new()
        .title("wuye 物业 API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "REST API of the wuye property-management system. Authenticate with `Authorization: Bearer <token>`; \
             get a token from POST /api/v1/auth/token or the console's API token page. Errors are JSON \
             `{code, message, field, errors}` with a stable snake_case `code`; send `Accept-Language: en` for English messages.",
        ))
        .build();
    let comps = doc.components.get_or_insert_with(Default::default);
    comps.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    let schemas = comps.schemas.clone();
    for (path, item) in doc.paths.paths.iter_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            complete(path, op, &schemas);
        }
    }
    doc
}

/// What every operation may answer besides its own responses, added from its shape so that no
/// operation can forget one: a bearer-protected operation answers 401 to a missing, unknown,
/// revoked or expired token before its handler runs, and 403 when the role lacks the
/// permission; a path id answers 404 and 422; any input answers 422 naming the field. Every
/// response gets the description OpenAPI requires.
fn complete(path: &str, op: &mut Operation, schemas: &Schemas) {
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let params = op.parameters.as_deref().unwrap_or_default();
    let has = |place: ParameterIn| {
        params
            .iter()
            .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == place))
    };
    let (in_path, in_query) = (has(ParameterIn::Path), has(ParameterIn::Query));
    // What one's own account does needs no permission; everything else does, and roles are
    // the company's to change.
    let own = path.starts_with("/api/v1/me") || path.starts_with("/api/v1/notifications");
    let mut add = Vec::new();
    if secured {
        add.push("401");
        if !own {
            add.push("403");
        }
    }
    // A path id out of range is refused before the handler (`invalid_path`); an id in range
    // may name nothing the caller reaches.
    if in_path {
        add.extend(["404", "422"]);
    }
    if in_query || op.request_body.is_some() {
        add.push("422");
    }
    // An input naming a community, unit, charge… may name one the caller does not reach.
    let query_ids = params
        .iter()
        .any(|p| matches!(p, RefOr::T(p) if p.name.ends_with("_id")));
    if query_ids || body_names_ids(op, schemas) {
        add.push("404");
    }
    let responses = &mut op.responses.responses;
    for status in add {
        responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::T(error_response(status)));
    }
    for (status, r) in responses.iter_mut() {
        if let RefOr::T(r) = r
            && r.description.is_empty()
        {
            r.description = describe(status).into();
        }
    }
}

type Schemas = BTreeMap<String, RefOr<Schema>>;

/// Whether the JSON body has a property that names an entity (`community_id`, `charge_ids`).
fn body_names_ids(op: &Operation, schemas: &Schemas) -> bool {
    let Some(RefOr::T(body)) = &op.request_body else {
        return false;
    };
    body.content.values().any(|c| {
        let RefOr::T(c) = c else {
            return false;
        };
        let schema = match &c.schema {
            Some(RefOr::Ref(r)) => r
                .ref_location
                .rsplit('/')
                .next()
                .and_then(|n| schemas.get(n)),
            Some(s) => Some(s),
            None => None,
        };
        matches!(schema, Some(RefOr::T(Schema::Object(o)))
            if o.properties.keys().any(|k| k.ends_with("_id") || k.ends_with("_ids")))
    })
}

fn error_response(status: &str) -> Response {
    ResponseBuilder::new()
        .description(describe(status))
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

fn describe(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created",
        "204" => "Done; no body",
        "400" => "The request cannot be read",
        "401" => "No valid token: missing, unknown, revoked or expired (code `invalid_token`)",
        "403" => "The caller's role lacks the permission (code `forbidden`)",
        "404" => "Not found, or not in the caller's communities",
        "409" => "Conflicts with the current state (the code says which)",
        "413" => "The upload is too large",
        "415" => "Unsupported content type",
        "422" => "Invalid input; `errors` names each field",
        "429" => "Too many attempts; retry later",
        _ => "See the error code",
    }
}

pub fn docs_router(doc: OpenApi) -> Router<AppState> {
    Router::<AppState>::from(SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
}
