//! `wuye bench surveys`: a satisfaction survey of 10 questions (3 single choice, 2 multiple
//! choice, 4 scores, 1 text) grown to 50,000 answer sheets through the service's bulk path
//! (`surveys::bulk_responses`, every sheet checked as an owner's is), then its analysis — each
//! question's counts, means, the satisfaction index and the response rate — timed from a second
//! core opened on the database afterwards, as another server process would read it. No ANALYZE
//! of its own. Target on SQLite and on PostgreSQL: p99 ≤ 200 ms.

use std::time::{Duration, Instant};

use wuye_core::Ctx;
use wuye_core::shared::ids::UserId;
use wuye_core::surveys::model::{AnswerForSubmit, QuestionForCreate, SurveyForUpdate};
use wuye_core::surveys::{self};

use super::data::Rng;
use super::report::{pass, pct};
use super::workdir::{Engine, WorkDir, fresh_core, new_community, reopen};
use super::{AnyResult, WorkDirArgs};

const TARGET_MS: f64 = 200.0;
/// Sheets written per call of the bulk path (one transaction each).
const BATCH: usize = 5_000;

fn questionnaire() -> SurveyForUpdate {
    let q = |kind: &str, text: &str, options: &[&str]| QuestionForCreate {
        kind: kind.into(),
        text: text.into(),
        required: kind != "text",
        options: options.iter().map(|s| s.to_string()).collect(),
        topic: None,
    };
    let today = chrono::Utc::now().date_naive();
    SurveyForUpdate {
        title: "基准满意度调查".into(),
        intro: None,
        audience: "owners".into(),
        building_ids: vec![],
        anonymous: true,
        opens_on: (today - chrono::Duration::days(1)).to_string(),
        closes_on: (today + chrono::Duration::days(30)).to_string(),
        questions: vec![
            q(
                "single",
                "保安服务",
                &["非常满意", "满意", "一般", "不满意", "很不满意"],
            ),
            q(
                "single",
                "保洁服务",
                &["非常满意", "满意", "一般", "不满意", "很不满意"],
            ),
            q(
                "single",
                "维修及时",
                &["非常满意", "满意", "一般", "不满意", "很不满意"],
            ),
            q(
                "multiple",
                "最关心",
                &["卫生", "安全", "维修", "绿化", "停车", "收费"],
            ),
            q(
                "multiple",
                "获取通知",
                &["公告栏", "微信", "短信", "电话", "上门", "其他"],
            ),
            q("score", "客服评分", &[]),
            q("score", "工程评分", &[]),
            q("score", "环境评分", &[]),
            q("score", "总体评分", &[]),
            q("text", "意见建议", &[]),
        ],
    }
}

/// One person's sheet: scores skewed towards 4, a comment on one sheet in five.
fn sheet(rng: &mut Rng, ids: &[i64]) -> Vec<AnswerForSubmit> {
    let mut out = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let mut a = AnswerForSubmit {
            question_id: *id,
            ..Default::default()
        };
        match i {
            0..=2 => a.choices = vec![rng.below(5) as i64],
            3 | 4 => {
                a.choices = (0..6).filter(|_| rng.chance(40)).collect();
                if a.choices.is_empty() {
                    a.choices.push(rng.below(6) as i64);
                }
            }
            5..=8 => a.score = Some([5, 4, 4, 4, 3, 3, 2, 1, 5, 4][rng.below(10) as usize]),
            _ => {
                if !rng.chance(20) {
                    continue;
                }
                a.text = Some(format!(
                    "第 {} 号意见：楼道灯不亮，希望尽快修。",
                    rng.below(1_000_000)
                ));
            }
        }
        out.push(a);
    }
    out
}

pub(super) async fn bench_surveys(
    sheets: usize,
    runs: usize,
    work: &WorkDirArgs,
    engine: &Engine,
) -> AnyResult<()> {
    println!(
        "== bench surveys: 10 questions, {sheets} answer sheets, {runs} analyses ({}) ==",
        engine.label()
    );
    let wd = WorkDir::new("surveys", work)?;
    let (core, company) = fresh_core(&wd, engine).await?;
    let community = new_community(&core, company, "BENCHS", "基准调查小区").await?;
    let sys = Ctx::system_as(company, "bench");
    let s = surveys::create_survey(&core, &sys, community, questionnaire()).await?;
    let s = surveys::open_survey(&core, &sys, s.id).await?;
    let ids: Vec<i64> = s.questions.iter().map(|q| q.id.0).collect();

    let t = Instant::now();
    let mut rng = Rng(0x5EED_5EED);
    let mut written = 0;
    while written < sheets {
        let n = BATCH.min(sheets - written);
        // Portal account ids of the people answering (an answer outlives its account, so the
        // responses keep the id without a foreign key).
        let batch: Vec<(UserId, Vec<AnswerForSubmit>)> = (0..n)
            .map(|i| {
                (
                    UserId(1_000_000 + (written + i) as i64),
                    sheet(&mut rng, &ids),
                )
            })
            .collect();
        written += surveys::bulk_responses(&core, &sys, s.id, &batch).await?;
    }
    let grow = t.elapsed().as_secs_f64();
    println!(
        "  answers           {written} sheets in {grow:.1} s ({:.0} sheets/s)",
        written as f64 / grow.max(1e-9)
    );

    // Another process: a core opened afresh on the database, as a restarted server would.
    let core = reopen(core, &wd, engine).await?;
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let a = surveys::analysis(&core, &sys, s.id).await?;
        times.push(t.elapsed());
        last = Some(a);
    }
    times.sort();
    if let Some(a) = &last {
        println!(
            "  analysis          responses {}, satisfaction index {:?} %, mean {:?}",
            a.responses, a.satisfaction_index, a.mean_score
        );
    }
    let p99 = pct(&times, 99.0);
    println!(
        "  analysis time     p50 {:.1} ms, p95 {:.1} ms, p99 {p99:.1} ms, max {:.1} ms",
        pct(&times, 50.0),
        pct(&times, 95.0),
        pct(&times, 100.0)
    );
    core.db.close().await;
    let ok = p99 <= TARGET_MS;
    println!(
        "  target            p99 ≤ {TARGET_MS} ms: {} ({p99:.1} ms)",
        pass(ok)
    );
    if ok {
        Ok(())
    } else {
        Err(format!("surveys target missed: p99 {p99:.1} ms > {TARGET_MS} ms").into())
    }
}
