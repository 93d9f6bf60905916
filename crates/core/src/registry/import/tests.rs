//! Tests of the import and of the unit and people exports on a real database (SQLite, or
//! PostgreSQL when `WUYE_TEST_DATABASE_URL` names one), including the 100k-row timing.

use std::io::Cursor;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use rust_xlsxwriter::Workbook;

use super::parse::check_unpacked_size;
use super::*;
use crate::args;
use crate::auth;
use crate::db::{Db, DbOptions};
use crate::registry::model::*;
use crate::registry::{self, CommunityForCreate, HitKind, PersonFilter, UnitFilter};
use crate::shared::crypto::Crypto;
use crate::shared::values::{Area, IdNumber};
use crate::shared::xlsx::declared_unpacked_size;
use crate::{CoreRef, PasswordCost, Settings};

struct Env {
    core: CoreRef,
    ctx: Ctx,
    community: CommunityId,
    path: PathBuf,
}

impl Drop for Env {
    fn drop(&mut self) {
        if self.path.as_os_str().is_empty() {
            return;
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

/// A fresh database: a SQLite file in the temp dir, or — when `WUYE_TEST_DATABASE_URL` names
/// a PostgreSQL server — a schema of its own there.
async fn open_db(name: &str) -> (Db, PathBuf) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let unique = format!("{name}_{}_{nanos}", std::process::id());
    if let Some(url) = std::env::var("WUYE_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
    {
        let schema = format!("t_import_{unique}");
        let admin = Db::connect(&url, &DbOptions::default()).await.unwrap();
        let mut tx = admin.begin().await.unwrap();
        tx.execute(&format!("CREATE SCHEMA {schema}"), args![])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        admin.close().await;
        let opts = DbOptions {
            pg_schema: Some(schema),
            ..Default::default()
        };
        let db = Db::connect(&url, &opts).await.unwrap();
        db.migrate().await.unwrap();
        return (db, PathBuf::new());
    }
    let path = std::env::temp_dir().join(format!("wuye-import-{unique}.db"));
    let db = Db::connect(&path.to_string_lossy(), &DbOptions::default())
        .await
        .unwrap();
    db.migrate().await.unwrap();
    (db, path)
}

async fn env(name: &str) -> Env {
    let (db, path) = open_db(name).await;
    let core = Core::new(
        db,
        Crypto::new(&[1u8; 32]),
        Settings {
            password_cost: PasswordCost::Low,
            ..Default::default()
        },
    );
    auth::ensure_roles(&core).await.unwrap();
    let company = auth::ensure_company(&core, "测试物业").await.unwrap();
    let ctx = Ctx::system(company);
    let c = registry::create_community(
        &core,
        &ctx,
        CommunityForCreate {
            code: "C1".into(),
            name: "测试小区".into(),
            address: None,
            timezone: None,
        },
    )
    .await
    .unwrap();
    Env {
        core,
        ctx,
        community: c.id,
        path,
    }
}

fn no_progress() -> impl Fn(usize, usize) + Send + Sync {
    |_, _| {}
}

/// A cell to write in a test workbook.
enum V {
    S(&'static str),
    N(f64),
    E,
}

fn workbook(rows: &[Vec<V>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match v {
                V::S(s) => ws.write_string(r, c, *s).map(|_| ()).unwrap(),
                V::N(n) => ws.write_number(r, c, *n).map(|_| ()).unwrap(),
                V::E => {}
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn header() -> Vec<V> {
    COLUMNS.iter().map(|c| V::S(c.header)).collect()
}

/// 楼栋, 房号, 楼层, 建筑面积, 套内面积, 用途, 状态, 业主姓名, 业主电话, 证件号码, 备注.
fn unit_row(
    b: &'static str,
    no: &'static str,
    floor: f64,
    area: f64,
    owner: V,
    phone: V,
    id: V,
) -> Vec<V> {
    vec![
        V::S(b),
        V::S(no),
        V::N(floor),
        V::N(area),
        V::E,
        V::E,
        V::E,
        owner,
        phone,
        id,
        V::E,
    ]
}

async fn counts(e: &Env) -> [i64; 5] {
    registry::community_counts(&e.core, &e.ctx, e.community)
        .await
        .unwrap()
}

async fn links(e: &Env) -> i64 {
    let (n,): (i64,) = e
        .core
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM unit_people WHERE community_id = $1",
            args![e.community],
        )
        .await
        .unwrap();
    n
}

/// (entity, action, entries) of the community's audit log on units and people.
async fn audit_counts(e: &Env) -> Vec<(String, String, i64)> {
    e.core
        .db
        .read()
        .fetch_all(
            "SELECT entity, action, COUNT(*) FROM audit_log WHERE community_id = $1 \
             AND entity IN ('unit', 'person') GROUP BY entity, action ORDER BY entity, action",
            args![e.community],
        )
        .await
        .unwrap()
}

fn read_sheet(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|d| d.to_string()).collect())
        .collect()
}

fn errs(report: &ImportReport) -> Vec<(usize, &str, &str)> {
    report
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.code.as_str()))
        .collect()
}

fn file_error<T: std::fmt::Debug>(r: CoreResult<T>) -> FieldError {
    match r {
        Err(CoreError::Invalid(mut v)) if v.len() == 1 => v.remove(0),
        other => panic!("expected one file error, got {other:?}"),
    }
}

#[tokio::test]
async fn template_example_row_imports() {
    let e = env("template").await;
    let template = template_xlsx().unwrap();
    // The template has the explanation sheet.
    let wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(template.clone())).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec!["房屋".to_string(), "说明".to_string()]
    );

    let calls = AtomicUsize::new(0);
    let last = std::sync::Mutex::new((0, 0));
    let progress = |d: usize, t: usize| {
        calls.fetch_add(1, Ordering::Relaxed);
        *last.lock().unwrap() = (d, t);
    };
    let r = import_units_xlsx(&e.core, &e.ctx, e.community, &template, &progress)
        .await
        .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(
        (
            r.rows,
            r.buildings_created,
            r.units_created,
            r.people_created
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(*last.lock().unwrap(), (2, 2));
    assert!(calls.load(Ordering::Relaxed) >= 2);

    // Ids taken by the import do not collide with ordinary inserts afterwards.
    let later = registry::create_person(
        &e.core,
        &e.ctx,
        registry::PersonForCreate {
            community_id: e.community,
            name: "李四".into(),
            phone: None,
            id_number: None,
            is_key_customer: false,
            key_customer_note: None,
            note: None,
            unit_id: None,
            relation: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(counts(&e).await, [1, 1, 2, 0, 0]);
    registry::delete_person(&e.core, &e.ctx, later.id)
        .await
        .unwrap();

    let units = registry::list_units(
        &e.core,
        &e.ctx,
        &UnitFilter {
            community_id: Some(e.community),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(units.len(), 1);
    let u = &units[0];
    assert_eq!(
        (u.building_name.as_str(), u.unit_no.as_str(), u.floor),
        ("1栋", "101", 1)
    );
    assert_eq!(
        (u.building_area, u.inner_area),
        (Area(8950), Some(Area(7230)))
    );
    assert_eq!(
        (u.use_kind, u.state),
        (UnitUse::Residential, UnitState::Occupied)
    );
    assert_eq!(u.note.as_deref(), Some("示例行，导入前请删除"));

    let d = registry::unit_detail(&e.core, &e.ctx, u.id).await.unwrap();
    assert_eq!(d.people.len(), 1);
    assert_eq!(d.people[0].relation, Relation::Owner);
    assert_eq!(d.people[0].person.name, "张三");
    assert_eq!(d.people[0].person.phone.as_deref(), Some("138****5678"));
    assert_eq!(
        d.people[0].person.id_number.as_deref(),
        Some("110105********002X")
    );
    let clear = registry::reveal_person(&e.core, &e.ctx, d.people[0].person.id)
        .await
        .unwrap();
    assert_eq!(clear.phone.as_deref(), Some("13812345678"));
    assert_eq!(clear.id_number.as_deref(), Some("11010519491231002X"));

    let hits = registry::search(&e.core, &e.ctx, "13812345678", Some(e.community), 10)
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert!(matches!(hits[0].kind, HitKind::Person));
    assert_eq!(
        (hits[0].title.as_str(), hits[0].unit_id),
        ("张三", Some(u.id))
    );

    let log = crate::audit::list(
        &e.core.db,
        &e.ctx,
        &crate::audit::AuditFilter {
            action: Some("import".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (
            log[0].entity.as_str(),
            log[0].entity_id,
            log[0].community_id
        ),
        ("unit", None, Some(e.community.0))
    );
    let after: serde_json::Value =
        serde_json::from_str(log[0].after_json.as_deref().unwrap()).unwrap();
    assert_eq!(
        after,
        serde_json::json!({
            "rows": 1, "buildings_created": 1, "units_created": 1, "people_created": 1,
            "people_linked": 0,
        })
    );

    // The same file again: the unit exists now, nothing is written.
    let r = import_units_xlsx(&e.core, &e.ctx, e.community, &template, &no_progress())
        .await
        .unwrap();
    assert_eq!(errs(&r), vec![(2, "房号", "duplicate_unit_no")]);
    assert_eq!(
        r.errors[0].params,
        vec![("existing".to_string(), "1".to_string())]
    );
    assert_eq!(counts(&e).await, [1, 1, 1, 0, 0]);
}

#[tokio::test]
async fn bad_rows_are_all_reported_and_nothing_is_written() {
    let e = env("bad").await;
    let seed = workbook(&[
        header(),
        unit_row("1栋", "101", 1.0, 90.0, V::S("赵一"), V::E, V::E),
    ]);
    let r = import_units_xlsx(&e.core, &e.ctx, e.community, &seed, &no_progress())
        .await
        .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let before = counts(&e).await;
    assert_eq!(before, [1, 1, 1, 0, 0]);

    let mut inner_too_big = unit_row("2栋", "301", 3.0, 80.0, V::E, V::E, V::E);
    inner_too_big[4] = V::N(80.01);
    let mut many = unit_row(
        "2栋",
        "302",
        3.5,
        1.234,
        V::E,
        V::S("138"),
        V::N(110105194912310020.0),
    );
    many[5] = V::S("别墅");
    let bad = workbook(&[
        header(),
        unit_row("1栋", "201", 2.0, -89.0, V::E, V::E, V::E),
        unit_row("1栋", "202", 2.0, 89.123, V::E, V::E, V::E),
        unit_row("1栋", "203", 2.0, 90.0, V::S("李四"), V::S("1381234"), V::E),
        unit_row(
            "1栋",
            "204",
            2.0,
            90.0,
            V::S("王五"),
            V::E,
            V::S("110105194912310021"),
        ),
        unit_row(
            "1栋",
            "205",
            2.0,
            90.0,
            V::S("钱六"),
            V::S("13900001111"),
            V::E,
        ),
        unit_row("1栋", "205", 2.0, 90.0, V::E, V::E, V::E),
        unit_row("1栋", "101", 1.0, 90.0, V::E, V::E, V::E),
        unit_row("1栋", "206", 2.0, 90.0, V::E, V::S("13900002222"), V::E),
        vec![],
        inner_too_big,
        many,
        vec![V::E, V::S("a b"), V::S("x"), V::E],
        // Duplicates of and on rows with other errors are reported too.
        unit_row("1栋", "201", 2.0, 90.0, V::E, V::E, V::E),
        unit_row("1栋", "101", 0.0, 90.0, V::E, V::E, V::E),
    ]);
    let r = import_units_xlsx(&e.core, &e.ctx, e.community, &bad, &no_progress())
        .await
        .unwrap();
    assert_eq!(r.rows, 13, "the empty row 10 is skipped");
    assert_eq!(
        (r.buildings_created, r.units_created, r.people_created),
        (0, 0, 0)
    );
    assert_eq!(
        errs(&r),
        vec![
            (2, "建筑面积", "must_be_positive"),
            (3, "建筑面积", "too_many_decimals"),
            (4, "业主电话", "invalid_phone"),
            (5, "证件号码", "id_number_check_digit"),
            (7, "房号", "duplicate_unit_no"),
            (8, "房号", "duplicate_unit_no"),
            (9, "业主姓名", "required"),
            (11, "套内面积", "inner_area_exceeds_building_area"),
            (12, "楼层", "not_an_integer"),
            (12, "建筑面积", "too_many_decimals"),
            (12, "用途", "unknown_unit_use"),
            (12, "业主电话", "invalid_phone"),
            (12, "证件号码", "invalid_id_number"),
            (12, "业主姓名", "required"),
            (13, "楼栋", "required"),
            (13, "房号", "invalid_code"),
            (13, "楼层", "not_a_number"),
            (13, "建筑面积", "required"),
            (14, "房号", "duplicate_unit_no"),
            (15, "楼层", "floor_out_of_range"),
            (15, "房号", "duplicate_unit_no"),
        ]
    );
    let e7 = &r.errors[4];
    assert_eq!(
        (e7.field.as_str(), e7.params.clone()),
        ("unit_no", vec![("first_row".to_string(), "6".to_string())])
    );
    assert_eq!(
        r.errors[5].params,
        vec![("existing".to_string(), "1".to_string())]
    );
    assert_eq!(r.errors[2].field, "owner_phone");
    assert_eq!(r.errors[2].params, Vec::<(String, String)>::new());
    assert_eq!(
        r.errors[1].params,
        vec![("max".to_string(), "2".to_string())]
    );
    assert_eq!(
        r.errors[18].params,
        vec![("first_row".to_string(), "2".to_string())]
    );
    assert_eq!(
        r.errors[20].params,
        vec![("existing".to_string(), "1".to_string())]
    );
    assert_eq!(counts(&e).await, before, "nothing half-written");
    assert_eq!(links(&e).await, 1);
}

#[tokio::test]
async fn errors_are_capped() {
    let e = env("cap").await;
    let mut rows = vec![header()];
    // Two bad cells per row (floor 0, bad phone), 600 rows: 1,200 errors.
    rows.extend((0..600).map(|_| unit_row("1栋", "101", 0.0, 90.0, V::S("周八"), V::S("x"), V::E)));
    let r = import_units_xlsx(
        &e.core,
        &e.ctx,
        e.community,
        &workbook(&rows),
        &no_progress(),
    )
    .await
    .unwrap();
    assert_eq!(r.rows, 600);
    assert_eq!(r.errors.len(), MAX_IMPORT_ERRORS);
    assert_eq!(
        errs(&r)[..3],
        [
            (2, "楼层", "floor_out_of_range"),
            (2, "业主电话", "invalid_phone"),
            (3, "楼层", "floor_out_of_range")
        ]
    );
    assert_eq!(counts(&e).await, [0, 0, 0, 0, 0]);
}

#[tokio::test]
async fn structural_problems_are_file_errors() {
    let e = env("structure").await;
    let fe = file_error(
        import_units_xlsx(
            &e.core,
            &e.ctx,
            e.community,
            b"not a workbook",
            &no_progress(),
        )
        .await,
    );
    assert_eq!((fe.field.as_str(), fe.code), ("file", "not_xlsx"));

    let no_unit_no = workbook(&[
        vec![V::S("楼栋"), V::S("楼层"), V::S("建筑面积")],
        vec![V::S("1栋"), V::N(1.0), V::N(90.0)],
    ]);
    let fe = file_error(
        import_units_xlsx(&e.core, &e.ctx, e.community, &no_unit_no, &no_progress()).await,
    );
    assert_eq!(
        (fe.code, fe.params.clone()),
        ("missing_columns", vec![("columns", "房号".to_string())])
    );

    let no_headers = workbook(&[vec![V::S("a"), V::S("b")], vec![V::S("1"), V::S("2")]]);
    let fe = file_error(
        import_units_xlsx(&e.core, &e.ctx, e.community, &no_headers, &no_progress()).await,
    );
    assert_eq!(
        (fe.code, fe.params.clone()),
        (
            "missing_columns",
            vec![("columns", "楼栋、房号、楼层、建筑面积".to_string())]
        )
    );

    let header_only = workbook(&[header(), vec![], vec![V::S(" ")]]);
    let fe = file_error(
        import_units_xlsx(&e.core, &e.ctx, e.community, &header_only, &no_progress()).await,
    );
    assert_eq!(fe.code, "empty_file");

    let mut reader = e.ctx.clone();
    reader.perms.remove(&Perm::RegistryWrite);
    let r = import_units_xlsx(
        &e.core,
        &reader,
        e.community,
        &template_xlsx().unwrap(),
        &no_progress(),
    )
    .await;
    assert!(matches!(r, Err(CoreError::Forbidden)), "{r:?}");
    let r = import_units_xlsx(
        &e.core,
        &e.ctx,
        CommunityId(999),
        &template_xlsx().unwrap(),
        &no_progress(),
    )
    .await;
    assert!(matches!(r, Err(CoreError::NotFound("community"))), "{r:?}");
    assert_eq!(counts(&e).await, [0, 0, 0, 0, 0]);
}

#[tokio::test]
async fn numbers_spaces_column_order_and_shared_owners() {
    let e = env("cells").await;
    // Shuffled columns, padded headers, a title row above, numeric cells, an empty row.
    let file = workbook(&[
        vec![V::S("某某小区房屋清单")],
        vec![
            V::S(" 房号 "),
            V::S("业主电话"),
            V::S("楼栋"),
            V::S("建筑面积"),
            V::S("楼层 "),
            V::S("业主姓名"),
            V::S("证件号码"),
            V::S("用途"),
            V::S("其他列"),
        ],
        vec![
            V::N(301.0),
            V::N(13700001111.0),
            V::S("A座"),
            V::N(89.5),
            V::N(3.0),
            V::S("孙七"),
            V::E,
            V::S("shop"),
            V::S("x"),
        ],
        vec![],
        vec![
            V::S("302"),
            V::N(13700001111.0),
            V::S("A座"),
            V::S("100"),
            V::S("3"),
            V::S("孙七"),
            V::E,
            V::E,
            V::E,
        ],
        vec![
            V::S("b1-01"),
            V::E,
            V::S("B座"),
            V::N(30.0),
            V::N(-1.0),
            V::E,
            V::E,
            V::S("车库"),
            V::E,
        ],
    ]);
    let r = import_units_xlsx(&e.core, &e.ctx, e.community, &file, &no_progress())
        .await
        .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(
        (
            r.rows,
            r.buildings_created,
            r.units_created,
            r.people_created
        ),
        (3, 2, 3, 1)
    );
    let units = registry::list_units(
        &e.core,
        &e.ctx,
        &UnitFilter {
            community_id: Some(e.community),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let got: Vec<_> = units
        .iter()
        .map(|u| {
            (
                u.building_name.as_str(),
                u.unit_no.as_str(),
                u.floor,
                u.building_area.0,
                u.use_kind,
                u.state,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("A座", "301", 3, 8950, UnitUse::Shop, UnitState::Vacant),
            (
                "A座",
                "302",
                3,
                10000,
                UnitUse::Residential,
                UnitState::Vacant
            ),
            (
                "B座",
                "B1-01",
                -1,
                3000,
                UnitUse::Parking,
                UnitState::Vacant
            ),
        ]
    );
    let hits = registry::search(&e.core, &e.ctx, "13700001111", Some(e.community), 10)
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    let p = registry::get_person(&e.core, &e.ctx, PersonId(hits[0].id))
        .await
        .unwrap();
    let labels: Vec<&str> = p.units.iter().map(|u| u.label.as_str()).collect();
    assert_eq!(labels, vec!["A座-301", "A座-302"], "one owner of two units");
    assert_eq!(links(&e).await, 2);
}

#[tokio::test]
async fn exports_mask_personal_data() {
    let e = env("export").await;
    import_units_xlsx(
        &e.core,
        &e.ctx,
        e.community,
        &template_xlsx().unwrap(),
        &no_progress(),
    )
    .await
    .unwrap();
    let units = registry::list_units(
        &e.core,
        &e.ctx,
        &UnitFilter {
            community_id: Some(e.community),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut owners = unit_owner_labels(&e.core, &e.ctx, e.community)
        .await
        .unwrap();
    assert_eq!(
        owners.get(&units[0].id),
        Some(&vec!["张三 138****5678".to_string()])
    );
    // A careless caller passing a clear number still gets it masked.
    owners
        .entry(units[0].id)
        .or_default()
        .push("李四 13900001111 11010519491231002X".into());
    let sheet = read_sheet(&export_units_xlsx(&units, &owners).unwrap());
    assert_eq!(
        sheet,
        vec![
            vec![
                "楼栋",
                "房号",
                "楼层",
                "建筑面积",
                "套内面积",
                "用途",
                "状态",
                "业主",
                "备注"
            ],
            vec![
                "1栋",
                "101",
                "1",
                "89.5",
                "72.3",
                "住宅",
                "自住",
                "张三 138****5678、李四 139****1111 110105********002X",
                "示例行，导入前请删除"
            ],
        ]
    );

    let people = registry::list_people(
        &e.core,
        &e.ctx,
        &PersonFilter {
            community_id: Some(e.community),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let sheet = read_sheet(&export_people_xlsx(&people).unwrap());
    assert_eq!(
        sheet,
        vec![
            vec!["姓名", "电话", "证件号码", "重点客户", "房屋", "备注"],
            vec![
                "张三",
                "138****5678",
                "110105********002X",
                "否",
                "1栋-101",
                ""
            ],
        ]
    );
    for cell in sheet.iter().flatten() {
        assert!(
            !cell.contains("13812345678") && !cell.contains("1231002"),
            "{cell}"
        );
    }
}

// -----------------------------------------------------------------------------------------
// Zip bombs

/// What each entry of the archive really inflates to.
fn real_unpacked_sizes(bytes: &[u8]) -> Vec<u64> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| std::io::copy(&mut zip.by_index(i).unwrap(), &mut std::io::sink()).unwrap())
        .collect()
}

fn u16_at(b: &[u8], i: usize) -> usize {
    u16::from_le_bytes([b[i], b[i + 1]]) as usize
}

fn u32_at(b: &[u8], i: usize) -> usize {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as usize
}

/// `bytes` with the uncompressed sizes the central directory declares for the named entries
/// replaced, the data left as it is: walks the End-of-Central-Directory record (0x06054b50)
/// to the directory's entries (0x02014b50, uncompressed size at offset 24).
fn declare_sizes(bytes: &[u8], sizes: &[(&str, u32)]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let eocd = (0..=out.len() - 22)
        .rev()
        .find(|i| out[*i..*i + 4] == 0x0605_4b50u32.to_le_bytes())
        .unwrap();
    let entries = u16_at(&out, eocd + 10);
    let mut at = u32_at(&out, eocd + 16);
    let mut patched = 0;
    for _ in 0..entries {
        assert_eq!(out[at..at + 4], 0x0201_4b50u32.to_le_bytes());
        let (name_len, extra, comment) = (
            u16_at(&out, at + 28),
            u16_at(&out, at + 30),
            u16_at(&out, at + 32),
        );
        let name = String::from_utf8(out[at + 46..at + 46 + name_len].to_vec()).unwrap();
        if let Some((_, size)) = sizes.iter().find(|(n, _)| *n == name) {
            out[at + 24..at + 28].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
        at += 46 + name_len + extra + comment;
    }
    assert_eq!(patched, sizes.len(), "entries not found");
    out
}

#[test]
fn unpacked_size_is_the_real_sum_and_is_capped() {
    assert_eq!(MAX_UNPACKED, 200 * 1024 * 1024);
    // 20,000 alike rows: the sheet compresses many times over.
    let mut rows = vec![header()];
    rows.extend((0..20_000).map(|_| {
        unit_row(
            "1栋",
            "101",
            1.0,
            90.0,
            V::S("张三"),
            V::S("13812345678"),
            V::E,
        )
    }));
    let file = workbook(&rows);
    let real = real_unpacked_sizes(&file);
    let total: u64 = real.iter().sum();
    assert!(real.len() > 5, "{real:?}");
    assert_eq!(declared_unpacked_size(&file), Some(total));
    assert!(
        total > 8 * file.len() as u64 && total > 1 << 20,
        "{total} bytes from {}",
        file.len()
    );

    assert_eq!(check_unpacked_size(&file, total).unwrap(), total);
    assert_eq!(check_unpacked_size(&file, MAX_UNPACKED).unwrap(), total);
    let fe = file_error(check_unpacked_size(&file, total - 1));
    assert_eq!(
        (fe.field.as_str(), fe.code),
        ("file", "file_too_large_unpacked")
    );
    let fe = file_error(check_unpacked_size(&file, 1024 * 1024));
    assert_eq!(
        (fe.code, fe.params),
        ("file_too_large_unpacked", vec![("max", "1 MB".to_string())])
    );

    for junk in [&b""[..], b"not a workbook", b"PK\x03\x04\x14\x00\x00\x00"] {
        let fe = file_error(check_unpacked_size(junk, MAX_UNPACKED));
        assert_eq!((fe.field.as_str(), fe.code), ("file", "not_xlsx"));
    }
}

#[tokio::test]
async fn zip_bombs_are_refused_unread() {
    let e = env("bomb").await;
    let template = template_xlsx().unwrap();
    let sheet = "xl/worksheets/sheet1.xml";
    let strings = "xl/sharedStrings.xml";
    let refused = |fe: FieldError| {
        assert_eq!(
            (fe.field.as_str(), fe.code, fe.params),
            (
                "file",
                "file_too_large_unpacked",
                vec![("max", "200 MB".to_string())]
            )
        );
    };
    // One entry over the limit.
    let bomb = declare_sizes(&template, &[(sheet, 300 << 20)]);
    assert!(declared_unpacked_size(&bomb).unwrap() > MAX_UNPACKED);
    refused(file_error(
        import_units_xlsx(&e.core, &e.ctx, e.community, &bomb, &no_progress()).await,
    ));
    // Entries each under the limit, together over it.
    let bomb = declare_sizes(&template, &[(sheet, 150 << 20), (strings, 60 << 20)]);
    refused(file_error(
        import_units_xlsx(&e.core, &e.ctx, e.community, &bomb, &no_progress()).await,
    ));
    // Declaring less than the entry holds does not get more past: the zip reader stops at
    // the declared size, and the workbook is not readable.
    let liar = declare_sizes(&template, &[(sheet, 100)]);
    assert!(declared_unpacked_size(&liar).unwrap() < declared_unpacked_size(&template).unwrap());
    let fe =
        file_error(import_units_xlsx(&e.core, &e.ctx, e.community, &liar, &no_progress()).await);
    assert_eq!((fe.field.as_str(), fe.code), ("file", "not_xlsx"));
    assert_eq!(counts(&e).await, [0, 0, 0, 0, 0]);
    assert_eq!(audit_counts(&e).await, vec![]);
}

// -----------------------------------------------------------------------------------------
// Audit, existing owners, wording

#[tokio::test]
async fn every_unit_and_person_created_is_audited() {
    let e = env("audit").await;
    let mut ctx = e.ctx.clone();
    ctx.user_id = UserId(42);
    ctx.display_name = "王经理".into();
    let r = import_units_xlsx(
        &e.core,
        &ctx,
        e.community,
        &template_xlsx().unwrap(),
        &no_progress(),
    )
    .await
    .unwrap();
    assert_eq!((r.units_created, r.people_created), (1, 1));
    let units = registry::list_units(
        &e.core,
        &e.ctx,
        &UnitFilter {
            community_id: Some(e.community),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let u = &units[0];

    // The unit's history starts with its creation, logged as `create_unit` logs it.
    let d = registry::unit_detail(&e.core, &e.ctx, u.id).await.unwrap();
    assert_eq!(d.history.len(), 1);
    let h = &d.history[0];
    assert_eq!(
        (
            h.action.as_str(),
            h.entity.as_str(),
            h.entity_id,
            h.community_id,
            h.actor_id,
            h.actor_name.as_str(),
            h.before_json.as_deref(),
        ),
        (
            "create",
            "unit",
            Some(u.id.0),
            Some(e.community.0),
            Some(42),
            "王经理",
            None
        )
    );
    let after: serde_json::Value = serde_json::from_str(h.after_json.as_deref().unwrap()).unwrap();
    assert_eq!(after, serde_json::to_value(u).unwrap());
    let fields: Vec<&serde_json::Value> = [
        "unit_no",
        "building_name",
        "floor",
        "building_area",
        "inner_area",
        "use_kind",
        "state",
    ]
    .iter()
    .map(|k| &after[k])
    .collect();
    assert_eq!(
        serde_json::json!(fields),
        serde_json::json!(["101", "1栋", 1, "89.50", "72.30", "residential", "occupied"])
    );
    assert_eq!(h.at, u.created_at);

    // The person: masked, never clear.
    let log: Vec<_> = crate::audit::list(
        &e.core.db,
        &e.ctx,
        &crate::audit::AuditFilter {
            community_id: Some(e.community.0),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .into_iter()
    .filter(|l| l.entity != "community")
    .collect();
    let got: Vec<_> = log
        .iter()
        .map(|l| (l.action.as_str(), l.entity.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![("import", "unit"), ("create", "person"), ("create", "unit")]
    );
    let p = registry::get_person(&e.core, &e.ctx, PersonId(log[1].entity_id.unwrap()))
        .await
        .unwrap();
    assert_eq!(p.name, "张三");
    let json = log[1].after_json.as_deref().unwrap();
    let after: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut expected = serde_json::to_value(&p).unwrap();
    expected["units"] = serde_json::json!([]);
    assert_eq!(after, expected);
    assert_eq!(
        (&after["phone"], &after["id_number"]),
        (
            &serde_json::json!("138****5678"),
            &serde_json::json!("110105********002X")
        )
    );
    for clear in ["13812345678", "11010519491231002X", "1231002"] {
        assert!(!json.contains(clear), "{json}");
    }
    // One actor, one time, one company for all three.
    for l in &log {
        assert_eq!(
            (l.actor_id, l.actor_name.as_str(), l.at),
            (Some(42), "王经理", u.created_at)
        );
    }
    let (n,): (i64,) = e
        .core
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM audit_log WHERE company_id = $1 AND community_id = $2 \
             AND entity <> 'community'",
            args![e.ctx.company_id, e.community],
        )
        .await
        .unwrap();
    assert_eq!(n, 3);
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

async fn person(
    e: &Env,
    c: CommunityId,
    name: &str,
    phone: Option<&str>,
    id: Option<&str>,
) -> PersonId {
    registry::create_person(
        &e.core,
        &e.ctx,
        registry::PersonForCreate {
            community_id: c,
            name: name.into(),
            phone: phone.map(Into::into),
            id_number: id.map(Into::into),
            is_key_customer: false,
            key_customer_note: None,
            note: None,
            unit_id: None,
            relation: None,
        },
    )
    .await
    .unwrap()
    .id
}

#[tokio::test]
async fn existing_owners_are_linked_not_duplicated() {
    let e = env("existing").await;
    let other = registry::create_community(
        &e.core,
        &e.ctx,
        CommunityForCreate {
            code: "C2".into(),
            name: "别的小区".into(),
            address: None,
            timezone: None,
        },
    )
    .await
    .unwrap()
    .id;
    let idn = |n: u32| leak(IdNumber::with_check_digit(&format!("11010519800101{n:03}")));
    let a = person(&e, e.community, "张三", Some("13800000001"), Some(idn(1))).await;
    let b = person(&e, e.community, "李四", Some("13800000002"), None).await;
    let c = person(&e, e.community, "王五", Some("13800000003"), None).await;
    let d = person(&e, e.community, "钱七", Some("13800000004"), Some(idn(4))).await;
    // Same ID number, but in another community: not this community's person.
    person(&e, other, "赵六", None, Some(idn(5))).await;
    assert_eq!(counts(&e).await, [0, 0, 4, 0, 0]);

    let file = workbook(&[
        header(),
        // Same ID number (the name as typed differs): A.
        unit_row("1栋", "101", 1.0, 90.0, V::S("张三丰"), V::E, V::S(idn(1))),
        // No ID number, same phone and name: B, twice.
        unit_row(
            "1栋",
            "102",
            1.0,
            90.0,
            V::S("李四"),
            V::S("13800000002"),
            V::E,
        ),
        unit_row(
            "1栋",
            "103",
            1.0,
            90.0,
            V::S("李四"),
            V::S("13800000002"),
            V::E,
        ),
        // Same phone, another name: new.
        unit_row(
            "1栋",
            "104",
            1.0,
            90.0,
            V::S("王五五"),
            V::S("13800000003"),
            V::E,
        ),
        // An ID number known only in the other community: new.
        unit_row("1栋", "105", 1.0, 90.0, V::S("赵六"), V::E, V::S(idn(5))),
        // An unknown ID number with B's phone and name: new (the ID number decides).
        unit_row(
            "1栋",
            "106",
            1.0,
            90.0,
            V::S("李四"),
            V::S("13800000002"),
            V::S(idn(6)),
        ),
        // No ID number, same phone and name as D (who has one): D.
        unit_row(
            "1栋",
            "107",
            1.0,
            90.0,
            V::S("钱七"),
            V::S("13800000004"),
            V::E,
        ),
        // No owner.
        unit_row("1栋", "108", 1.0, 90.0, V::E, V::E, V::E),
    ]);
    let r = import_units_xlsx(&e.core, &e.ctx, e.community, &file, &no_progress())
        .await
        .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(
        (r.rows, r.units_created, r.people_created, r.people_linked),
        (8, 8, 3, 3)
    );
    assert_eq!(counts(&e).await, [1, 8, 7, 0, 0]);

    let owners: Vec<(String, PersonId)> = e
        .core
        .db
        .read()
        .fetch_all(
            "SELECT u.unit_no, up.person_id FROM unit_people up JOIN units u ON u.id = up.unit_id \
             WHERE up.community_id = $1 AND up.relation = 'owner' ORDER BY u.unit_no",
            args![e.community],
        )
        .await
        .unwrap();
    let of = |no: &str| owners.iter().find(|(n, _)| n == no).map(|(_, p)| *p);
    assert_eq!(owners.len(), 7);
    assert_eq!(
        [of("101"), of("102"), of("103"), of("107")],
        [Some(a), Some(b), Some(b), Some(d)]
    );
    let new: HashSet<PersonId> = [of("104"), of("105"), of("106")]
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(new.len(), 3);
    assert!(new.iter().all(|p| ![a, b, c, d].contains(p)), "{new:?}");
    // An existing person is linked as they are.
    let pa = registry::get_person(&e.core, &e.ctx, a).await.unwrap();
    assert_eq!(pa.name, "张三");
    let labels: Vec<&str> = pa.units.iter().map(|u| u.label.as_str()).collect();
    assert_eq!(labels, vec!["1栋-101"]);

    // 4 people created before, 3 by the import; 8 units; the import.
    assert_eq!(
        audit_counts(&e).await,
        vec![
            ("person".to_string(), "create".to_string(), 7),
            ("unit".to_string(), "create".to_string(), 8),
            ("unit".to_string(), "import".to_string(), 1),
        ]
    );
    let log = crate::audit::list(
        &e.core.db,
        &e.ctx,
        &crate::audit::AuditFilter {
            action: Some("import".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let after: serde_json::Value =
        serde_json::from_str(log[0].after_json.as_deref().unwrap()).unwrap();
    assert_eq!(
        after,
        serde_json::json!({
            "rows": 8, "buildings_created": 1, "units_created": 8, "people_created": 3,
            "people_linked": 3,
        })
    );
}

#[test]
fn explanations_use_chinese_punctuation() {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(template_xlsx().unwrap())).unwrap();
    let range = wb.worksheet_range("说明").unwrap();
    let chinese: Vec<&String> = range
        .used_cells()
        .filter_map(|(_, _, d)| match d {
            Data::String(s) if s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) => Some(s),
            _ => None,
        })
        .collect();
    let sentences: Vec<&&String> = chinese.iter().filter(|s| s.ends_with('。')).collect();
    assert_eq!(sentences.len(), COLUMNS.len() + 3, "{chinese:?}");
    for s in &chinese {
        for ascii in [',', ';', ':', '(', ')'] {
            assert!(!s.contains(ascii), "{s:?} has {ascii:?}");
        }
    }
    assert!(chinese.iter().any(|s| s.contains('，')));
    assert!(chinese.iter().any(|s| s.contains('；')));
    assert!(chinese.iter().any(|s| s.contains('：')));
    assert!(chinese.iter().any(|s| s.contains("住宅、")));
    assert_eq!(MAX_IMPORT_ROWS, 200_000, "the notes say 20万行");
}

/// Rows with an owner each (phone and ID number): `buildings` buildings of `per` units.
fn generated(buildings: usize, per: usize) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, col) in COLUMNS.iter().enumerate() {
        ws.write_string(0, c as u16, col.header).unwrap();
    }
    let mut r = 1u32;
    for b in 0..buildings {
        let bname = format!("{}栋", b + 1);
        for u in 0..per {
            let floor = (u / 10 + 1) as f64;
            let no = format!("{}{:02}", u / 10 + 1, u % 10 + 1);
            let serial = r as usize;
            let id = IdNumber::with_check_digit(&format!(
                "110105198001{:02}{:03}",
                serial % 28 + 1,
                serial % 1000
            ));
            ws.write_string(r, 0, bname.as_str()).unwrap();
            ws.write_string(r, 1, no.as_str()).unwrap();
            ws.write_number(r, 2, floor).unwrap();
            ws.write_number(r, 3, 80.0 + (serial % 4000) as f64 / 100.0)
                .unwrap();
            ws.write_number(r, 4, 70.5).unwrap();
            ws.write_string(r, 5, "住宅").unwrap();
            ws.write_string(r, 6, "自住").unwrap();
            ws.write_string(r, 7, format!("业主{serial}")).unwrap();
            ws.write_string(r, 8, format!("139{serial:08}")).unwrap();
            ws.write_string(r, 9, id).unwrap();
            r += 1;
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn import_generated(name: &str, buildings: usize, per: usize) {
    let e = env(name).await;
    let file = generated(buildings, per);
    let n = buildings * per;
    let started = Instant::now();
    let r = import_units_xlsx(&e.core, &e.ctx, e.community, &file, &no_progress())
        .await
        .unwrap();
    let elapsed = started.elapsed();
    eprintln!(
        "imported {n} units with owners ({} KiB .xlsx, {} KiB unpacked) in {elapsed:?}",
        file.len() / 1024,
        declared_unpacked_size(&file).unwrap_or(0) / 1024
    );
    assert!(
        r.errors.is_empty(),
        "{:?}",
        &r.errors[..r.errors.len().min(5)]
    );
    assert_eq!(
        (
            r.rows,
            r.buildings_created,
            r.units_created,
            r.people_created
        ),
        (n, buildings, n, n)
    );
    assert_eq!(r.people_linked, 0);
    assert_eq!(
        counts(&e).await,
        [buildings as i64, n as i64, n as i64, 0, 0]
    );
    assert_eq!(links(&e).await, n as i64);
    assert_eq!(
        audit_counts(&e).await,
        vec![
            ("person".to_string(), "create".to_string(), n as i64),
            ("unit".to_string(), "create".to_string(), n as i64),
            ("unit".to_string(), "import".to_string(), 1),
        ]
    );
    let phone = format!("139{:08}", n / 2);
    let hits = registry::search(&e.core, &e.ctx, &phone, Some(e.community), 10)
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].title, format!("业主{}", n / 2));
}

#[tokio::test]
async fn imports_5000_rows() {
    import_generated("5k", 10, 500).await;
}

/// `cargo test -p wuye-core --release -- --ignored bench_import_100k --nocapture`
#[tokio::test]
#[ignore]
async fn bench_import_100k() {
    import_generated("100k", 100, 1000).await;
}
