//! Test support: `spawn_app()` starts the whole application on a fresh database — a temporary
//! SQLite file, or, when `WUYE_TEST_DATABASE_URL` names a PostgreSQL server, a schema of its own
//! there — and serves it on a free loopback port. Fixtures give a company with two communities,
//! a building in each, and users of any role with API tokens.

pub mod browser;
pub mod sidecar;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::StatusCode;
use serde_json::Value;
use wuye_core::auth::{self, UserForCreate};
use wuye_core::db::{Backend, Db, DbOptions};
use wuye_core::registry::{self, BuildingForCreate, CommunityForCreate};
use wuye_core::shared::crypto::Crypto;
use wuye_core::shared::ids::{BuildingId, CommunityId, CompanyId};
use wuye_core::{Core, CoreRef, Ctx, PasswordCost, Settings};

/// The password every fixture user has.
pub const PASSWORD: &str = "test2026pass";

pub struct TestApp {
    pub base: String,
    pub core: CoreRef,
    pub company: CompanyId,
    pub backend: Backend,
    /// Community A and B, and one building in each ("1栋").
    pub community_a: CommunityId,
    pub community_b: CommunityId,
    pub building_a: BuildingId,
    pub building_b: BuildingId,
    /// The SQLite file (None on PostgreSQL).
    pub sqlite_path: Option<PathBuf>,
    /// The PostgreSQL schema (None on SQLite).
    pub pg_schema: Option<String>,
    dir: PathBuf,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A stable small hash of a tag (unit numbers of fixture owners).
fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

fn unique() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        hex::encode(wuye_core::shared::crypto::random_bytes::<3>())
    )
}

/// Opens a fresh, migrated database: SQLite in `dir`, or a new schema on `WUYE_TEST_DATABASE_URL`.
pub async fn fresh_db(dir: &std::path::Path) -> (Db, Option<PathBuf>, Option<String>) {
    match std::env::var("WUYE_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
    {
        Some(url) => {
            let schema = format!("t_{}", unique());
            let admin = Db::connect(
                &url,
                &DbOptions {
                    max_connections: 1,
                    ..Default::default()
                },
            )
            .await
            .expect("connect to WUYE_TEST_DATABASE_URL");
            let mut tx = admin.begin().await.expect("begin");
            tx.execute(&format!("CREATE SCHEMA {schema}"), wuye_core::args![])
                .await
                .expect("create schema");
            tx.commit().await.expect("commit");
            admin.close().await;
            let db = Db::connect(
                &url,
                &DbOptions {
                    max_connections: 5,
                    pg_schema: Some(schema.clone()),
                    ..Default::default()
                },
            )
            .await
            .expect("connect to the test schema");
            db.migrate().await.expect("migrate PostgreSQL");
            (db, None, Some(schema))
        }
        None => {
            let path = dir.join("test.db");
            let db = Db::connect(&path.to_string_lossy(), &DbOptions::default())
                .await
                .expect("open SQLite");
            db.migrate().await.expect("migrate SQLite");
            (db, Some(path), None)
        }
    }
}

/// The application on a fresh database, served on a free port, with the fixtures.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_, _| {}).await
}

/// [`spawn_app`] with settings of the test's own (`configure` changes the defaults the tests
/// run with). The server gives handlers the peer address, as `wuye serve` does, so a client
/// bound to another loopback address (127.0.0.2, see [`TestApp::client_from`]) is another source.
pub async fn spawn_app_with(
    configure: impl FnOnce(&mut Settings, &mut wuye_web::WebConfig),
) -> TestApp {
    let dir = std::env::temp_dir().join(format!("wuye-test-{}", unique()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (db, sqlite_path, pg_schema) = fresh_db(&dir).await;
    let backend = db.backend();
    let key = wuye_core::shared::crypto::random_bytes::<32>();
    let mut settings = Settings {
        password_cost: PasswordCost::Low,
        files_dir: dir.join("files"),
        // Tests change tokens and users behind the services' back (SQL) and expect the next
        // call to see it: no reuse of token contexts here.
        token_ctx_ttl: std::time::Duration::ZERO,
        ..Default::default()
    };
    let mut web = wuye_web::WebConfig {
        max_upload_bytes: 2 * 1024 * 1024,
        ..Default::default()
    };
    configure(&mut settings, &mut web);
    let core = Core::new(db, Crypto::new(&key), settings);
    auth::ensure_roles(&core).await.expect("roles");
    let company = auth::ensure_company(&core, "测试物业公司")
        .await
        .expect("company");
    let sys = Ctx::system(company);
    let mk = |code: &str, name: &str| CommunityForCreate {
        code: code.into(),
        name: name.into(),
        address: None,
        timezone: None,
    };
    let a = registry::create_community(&core, &sys, mk("A", "甲小区"))
        .await
        .expect("community A");
    let b = registry::create_community(&core, &sys, mk("B", "乙小区"))
        .await
        .expect("community B");
    let bld = |c: CommunityId| BuildingForCreate {
        community_id: c,
        name: "1栋".into(),
        floors: Some(18),
        note: None,
    };
    let ba = registry::create_building(&core, &sys, bld(a.id))
        .await
        .expect("building A");
    let bb = registry::create_building(&core, &sys, bld(b.id))
        .await
        .expect("building B");

    let app = wuye_web::app(core.clone(), web)
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    TestApp {
        base: format!("http://{addr}"),
        core,
        company,
        backend,
        community_a: a.id,
        community_b: b.id,
        building_a: ba.id,
        building_b: bb.id,
        sqlite_path,
        pg_schema,
        dir,
    }
}

impl TestApp {
    /// Creates a user of `role` in `communities` (password [`PASSWORD`], no forced change). An
    /// owner is made as the centre makes one: a unit of the first community, a person owning it,
    /// a portal account opened for him and activated.
    pub async fn user(
        &self,
        username: &str,
        role: &str,
        communities: &[CommunityId],
    ) -> wuye_core::shared::ids::UserId {
        if role == auth::OWNER_ROLE {
            return self.owner(username, communities[0]).await;
        }
        let u = auth::create_user_as_system(
            &self.core,
            self.company,
            UserForCreate {
                username: username.into(),
                display_name: format!("{username}姓名"),
                role: role.into(),
                password: PASSWORD.into(),
                communities: communities.to_vec(),
            },
        )
        .await
        .expect("create user");
        let mut tx = self.core.db.begin().await.expect("begin");
        tx.execute(
            "UPDATE users SET must_change_password = $1 WHERE id = $2",
            wuye_core::args![false, u.user.id],
        )
        .await
        .expect("update");
        tx.commit().await.expect("commit");
        u.user.id
    }

    /// An owner living in a new unit of `community` (named after `tag`), with an activated
    /// portal account: his reach is that community, from the unit he owns.
    pub async fn owner(&self, tag: &str, community: CommunityId) -> wuye_core::shared::ids::UserId {
        let sys = Ctx::system(self.company);
        let building = if community == self.community_a {
            self.building_a
        } else {
            self.building_b
        };
        let digits: String = format!("{:x}", fxhash(tag)).chars().take(6).collect();
        let unit = registry::create_unit(
            &self.core,
            &sys,
            registry::UnitForCreate {
                building_id: building,
                unit_no: format!("Y{digits}"),
                floor: 1,
                building_area: registry::Decimal::Text("88.00".into()),
                inner_area: None,
                use_kind: "residential".into(),
                state: "occupied".into(),
                note: None,
            },
        )
        .await
        .expect("owner's unit");
        let person = registry::create_person(
            &self.core,
            &sys,
            registry::PersonForCreate {
                community_id: community,
                name: format!("{tag}业主"),
                phone: None,
                id_number: None,
                is_key_customer: false,
                key_customer_note: None,
                note: None,
                unit_id: Some(unit.id),
                relation: Some("owner".into()),
            },
        )
        .await
        .expect("owner");
        let slip = wuye_core::portal::open_account(&self.core, &sys, person.id)
            .await
            .expect("portal account");
        wuye_core::portal::activate(
            &self.core,
            wuye_core::portal::Activation {
                username: slip.username.clone(),
                activation_code: slip.activation_code,
                password: PASSWORD.into(),
            },
            &auth::LoginSource::of_ip(std::net::Ipv4Addr::LOCALHOST.into()),
        )
        .await
        .expect("activate");
        auth::user_id_by_username(&self.core, &slip.username)
            .await
            .expect("owner id")
            .expect("owner exists")
    }

    /// An API client for a new user of `role` in `communities`.
    pub async fn api_as(&self, username: &str, role: &str, communities: &[CommunityId]) -> Api {
        let id = self.user(username, role, communities).await;
        let ctx = auth::load_ctx(&self.core, id).await.expect("ctx");
        let (_, token) = auth::create_api_token(&self.core, &ctx, "test")
            .await
            .expect("token");
        self.api(Some(token))
    }

    /// A company admin's API client.
    pub async fn admin(&self) -> Api {
        self.api_as("admin", "company_admin", &[]).await
    }

    pub fn api(&self, token: Option<String>) -> Api {
        Api {
            client: reqwest::Client::new(),
            base: self.base.clone(),
            token,
            lang: None,
        }
    }

    /// A client with a cookie store, for console (HTML form) flows.
    pub fn browser_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// A client with a cookie store (as [`TestApp::browser_client`]) whose connections come
    /// from the loopback address `ip` (127.0.0.2, …): another source for the login throttle.
    pub fn client_from(&self, ip: &str) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .local_address(ip.parse::<std::net::IpAddr>().expect("an IP address"))
            .build()
            .expect("client")
    }

    /// A JSON API client without a token whose connections come from the loopback address `ip`.
    pub fn api_from(&self, ip: &str) -> Api {
        Api {
            client: self.client_from(ip),
            base: self.base.clone(),
            token: None,
            lang: None,
        }
    }

    /// A second application core on the same database, as a second `serve` process would have
    /// (its own pools): for tests of what several nodes do at once.
    pub async fn second_core(&self) -> CoreRef {
        let db = match (&self.sqlite_path, &self.pg_schema) {
            (Some(path), _) => Db::connect(&path.to_string_lossy(), &DbOptions::default())
                .await
                .expect("open SQLite again"),
            (None, Some(schema)) => {
                let url = std::env::var("WUYE_TEST_DATABASE_URL").expect("PostgreSQL URL");
                Db::connect(
                    &url,
                    &DbOptions {
                        max_connections: 5,
                        pg_schema: Some(schema.clone()),
                        ..Default::default()
                    },
                )
                .await
                .expect("connect to the test schema")
            }
            (None, None) => panic!("no database"),
        };
        Core::new(db, self.core.crypto.clone(), self.core.settings.clone())
    }

    /// Serves the application of `core` (a [`TestApp::second_core`]) on a port of its own, as a
    /// second `serve` process would: returns its base URL.
    pub async fn serve_node(&self, core: CoreRef) -> String {
        let app = wuye_web::app(core, Default::default())
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        format!("http://{addr}")
    }

    /// Counts rows of a table (to prove nothing was written).
    pub async fn count(&self, table: &str) -> i64 {
        let (n,): (i64,) = self
            .core
            .db
            .read()
            .fetch_one(&format!("SELECT COUNT(*) FROM {table}"), wuye_core::args![])
            .await
            .expect("count");
        n
    }
}

/// A JSON API client.
#[derive(Clone)]
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
    pub lang: Option<&'static str>,
}

impl Api {
    pub fn english(mut self) -> Self {
        self.lang = Some("en");
        self
    }

    fn req(&self, m: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self.client.request(m, format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        if let Some(l) = self.lang {
            r = r.header("accept-language", l);
        }
        r
    }

    pub async fn send(&self, r: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let resp = r.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        let v = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, v)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.req(reqwest::Method::GET, path)).await
    }
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.req(reqwest::Method::POST, path).json(&body))
            .await
    }
    /// A POST with extra headers (an `Idempotency-Key`, say).
    pub async fn post_with(
        &self,
        path: &str,
        body: Value,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut r = self.req(reqwest::Method::POST, path).json(&body);
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        self.send(r).await
    }
    /// The same client against another server (a second node).
    pub fn at(&self, base: &str) -> Api {
        Api {
            base: base.to_string(),
            ..self.clone()
        }
    }
    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.req(reqwest::Method::PATCH, path).json(&body))
            .await
    }
    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.req(reqwest::Method::PUT, path).json(&body))
            .await
    }
    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.req(reqwest::Method::DELETE, path)).await
    }
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        self.send(
            self.req(reqwest::Method::POST, path)
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }
}
