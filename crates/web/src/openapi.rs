//! The OpenAPI 3 document (`/api/openapi.json`) and its browsable page (`/api/docs`, served from
//! files compiled into the binary, so it works offline).

use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi};
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
    doc
}

pub fn docs_router(doc: OpenApi) -> Router<AppState> {
    Router::<AppState>::from(SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
}
