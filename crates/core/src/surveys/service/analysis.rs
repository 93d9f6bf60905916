//! The figures of a survey, live while it is open: the response rate (answers / people asked),
//! each question's counts per option or score with its mean, the latest comments, and the
//! satisfaction index over every score given (see [`ScoreCounts::satisfaction`]); and the
//! same as an .xlsx workbook (with every answer sheet) and as a PDF report. An anonymous
//! survey never shows who answered: the analysis names nobody, its export neither.

use std::collections::HashMap;

use rust_xlsxwriter::Workbook;
use serde::Serialize;
use utoipa::ToSchema;

use super::super::model::{QuestionKind, ScoreCounts, response_rate};
use super::super::store;
use super::{Survey, get_survey, targeted};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;
use crate::shared::xlsx::{write_header_row, xlsx_err};
use crate::{Core, Ctx};

/// Comments shown per text question (the export has them all).
const COMMENTS_SHOWN: i64 = 20;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SurveyAnalysis {
    pub survey: Survey,
    /// People the survey asks now: the activated portal accounts in its target.
    pub targeted: i64,
    pub responses: i64,
    /// responses / targeted, in percent to one decimal (none when nobody is asked).
    pub response_rate: Option<f64>,
    /// 满意度指数: the share of 4 and 5 among every score given in the survey, in percent to
    /// one decimal (none without score answers).
    pub satisfaction_index: Option<f64>,
    /// The mean of every score given, to two decimals.
    pub mean_score: Option<f64>,
    pub questions: Vec<QuestionAnalysis>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionAnalysis {
    pub question_id: QuestionId,
    pub kind: QuestionKind,
    pub text: String,
    /// How many answered this question.
    pub answered: i64,
    /// Choice questions: each option's count and its share of those who answered (percent).
    pub options: Vec<OptionCount>,
    /// Score questions: how many gave 1, 2, 3, 4, 5.
    pub scores: Option<[i64; 5]>,
    pub mean: Option<f64>,
    pub satisfaction: Option<f64>,
    /// Text questions: the latest comments (at most 20).
    pub comments: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OptionCount {
    pub label: String,
    pub count: i64,
    pub share: f64,
}

fn share(n: i64, of: i64) -> f64 {
    if of == 0 {
        0.0
    } else {
        (n as f64 * 1000.0 / of as f64).round() / 10.0
    }
}

/// The analysis of a survey, as of now.
pub async fn analysis(core: &Core, ctx: &Ctx, id: SurveyId) -> CoreResult<SurveyAnalysis> {
    let survey = get_survey(core, ctx, id).await?;
    let c = survey.community_id;
    let counts = store::answers::tallies(&core.db, c, id).await?;
    let answered = |q: QuestionId| {
        counts
            .iter()
            .find(|(x, v, _)| *x == q && *v == -1)
            .map_or(0, |t| t.2)
    };
    let mut all = ScoreCounts::default();
    let mut questions = Vec::new();
    for q in &survey.questions {
        let mine = counts.iter().filter(|(qid, v, _)| *qid == q.id && *v >= 0);
        let mut a = QuestionAnalysis {
            question_id: q.id,
            kind: q.kind,
            text: q.text.clone(),
            answered: answered(q.id),
            options: Vec::new(),
            scores: None,
            mean: None,
            satisfaction: None,
            comments: Vec::new(),
        };
        match q.kind {
            QuestionKind::Single | QuestionKind::Multiple => {
                let mut per = vec![0i64; q.options.len()];
                for (_, v, n) in mine {
                    if let Some(slot) = usize::try_from(*v).ok().and_then(|v| per.get_mut(v)) {
                        *slot += n;
                    }
                }
                a.options = q
                    .options
                    .iter()
                    .zip(per)
                    .map(|(label, count)| OptionCount {
                        label: label.clone(),
                        count,
                        share: share(count, a.answered),
                    })
                    .collect();
            }
            QuestionKind::Score => {
                let mut sc = ScoreCounts::default();
                for (_, v, n) in mine {
                    sc.add(*v, *n);
                    all.add(*v, *n);
                }
                a.scores = Some(sc.0);
                a.mean = sc.mean();
                a.satisfaction = sc.satisfaction();
            }
            QuestionKind::Text => {
                a.comments =
                    store::answers::latest_texts(&core.db, c, id, q.id, COMMENTS_SHOWN).await?;
            }
        }
        questions.push(a);
    }
    let targeted = targeted(core, &survey).await?;
    // Counted with the survey itself.
    let responses = survey.responses;
    Ok(SurveyAnalysis {
        targeted,
        responses,
        response_rate: response_rate(responses, targeted),
        satisfaction_index: all.satisfaction(),
        mean_score: all.mean(),
        questions,
        survey,
    })
}

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}%")).unwrap_or_else(|| "—".into())
}

/// The analysis and every answer sheet as an .xlsx workbook: 汇总 (the figures) and 答卷 (one row
/// per person; his name only when the survey is named).
pub async fn export_xlsx(core: &Core, ctx: &Ctx, id: SurveyId) -> CoreResult<Vec<u8>> {
    let a = analysis(core, ctx, id).await?;
    let s = &a.survey;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("汇总").map_err(xlsx_err)?;
    write_header_row(
        ws,
        &[
            ("问题", 40.0),
            ("选项/分值", 24.0),
            ("人数", 10.0),
            ("占比", 10.0),
        ],
    )?;
    let mut row = 1u32;
    let mut put = |ws: &mut rust_xlsxwriter::Worksheet,
                   cells: [&str; 2],
                   n: Option<i64>,
                   p: String|
     -> CoreResult<()> {
        ws.write_string(row, 0, cells[0]).map_err(xlsx_err)?;
        ws.write_string(row, 1, cells[1]).map_err(xlsx_err)?;
        if let Some(n) = n {
            ws.write_number(row, 2, n as f64).map_err(xlsx_err)?;
        }
        ws.write_string(row, 3, &p).map_err(xlsx_err)?;
        row += 1;
        Ok(())
    };
    put(
        ws,
        [&s.title, "应答人数 / 调查人数"],
        Some(a.responses),
        format!("{} / {}", a.responses, a.targeted),
    )?;
    put(ws, ["", "答卷率"], None, pct(a.response_rate))?;
    put(
        ws,
        ["", "满意度指数（4–5 分占比）"],
        None,
        pct(a.satisfaction_index),
    )?;
    for q in &a.questions {
        match q.kind {
            QuestionKind::Single | QuestionKind::Multiple => {
                for o in &q.options {
                    put(
                        ws,
                        [&q.text, &o.label],
                        Some(o.count),
                        format!("{:.1}%", o.share),
                    )?;
                }
            }
            QuestionKind::Score => {
                for (i, n) in q.scores.unwrap_or_default().iter().enumerate() {
                    put(
                        ws,
                        [&q.text, &format!("{} 分", i + 1)],
                        Some(*n),
                        format!("{:.1}%", share(*n, q.answered)),
                    )?;
                }
                let mean = q
                    .mean
                    .map(|m| format!("{m:.2}"))
                    .unwrap_or_else(|| "—".into());
                put(ws, [&q.text, "平均分"], None, mean)?;
            }
            QuestionKind::Text => put(ws, [&q.text, "留言条数"], Some(q.answered), String::new())?,
        }
    }

    let rows = store::answers::all_rows(&core.db, s.community_id, id).await?;
    let names: HashMap<UserId, String> = if s.anonymous {
        HashMap::new()
    } else {
        let mut users: Vec<UserId> = rows.iter().map(|r| r.user_id).collect();
        users.sort();
        users.dedup();
        crate::portal::store::names_of_accounts(&core.db, &users)
            .await?
            .into_iter()
            .collect()
    };
    let ws = wb.add_worksheet();
    ws.set_name("答卷").map_err(xlsx_err)?;
    let mut headers: Vec<(&str, f64)> = vec![("序号", 8.0)];
    if !s.anonymous {
        headers.push(("姓名", 12.0));
    }
    headers.push(("提交时间", 18.0));
    for q in &s.questions {
        headers.push((&q.text, 24.0));
    }
    write_header_row(ws, &headers)?;
    let first_q = (headers.len() - s.questions.len()) as u16;
    let tz = super::tz_of(core, ctx, s.community_id).await?;
    // One row per response: its answers are consecutive (ordered by response).
    for (n, sheet) in rows
        .chunk_by(|a, b| a.response_id == b.response_id)
        .enumerate()
    {
        let r = n as u32 + 1;
        let head = &sheet[0];
        ws.write_number(r, 0, f64::from(r)).map_err(xlsx_err)?;
        let mut col = 1;
        if !s.anonymous {
            let name = names.get(&head.user_id).map(String::as_str).unwrap_or("");
            ws.write_string(r, col, name).map_err(xlsx_err)?;
            col += 1;
        }
        let at = head.updated_at.with_timezone(&tz).format("%Y-%m-%d %H:%M");
        ws.write_string(r, col, at.to_string()).map_err(xlsx_err)?;
        for (i, q) in s.questions.iter().enumerate() {
            let cells: Vec<String> = sheet
                .iter()
                .filter(|a| a.question_id == q.id)
                .filter_map(|a| match (q.kind, a.value) {
                    (QuestionKind::Score, Some(v)) => Some(v.to_string()),
                    (_, Some(v)) => usize::try_from(v)
                        .ok()
                        .and_then(|v| q.options.get(v))
                        .cloned(),
                    (_, None) => a.text.clone(),
                })
                .collect();
            if !cells.is_empty() {
                ws.write_string(r, first_q + i as u16, cells.join("、"))
                    .map_err(xlsx_err)?;
            }
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// The analysis as a PDF report (满意度调查分析报告) with bars drawn per option and score.
pub async fn report_pdf(core: &Core, ctx: &Ctx, id: SurveyId) -> CoreResult<Vec<u8>> {
    use crate::billing::pdf::{Page, document, font};
    let a = analysis(core, ctx, id).await?;
    let f = font(&core.settings.pdf_font)?;
    let mut pages = vec![Page::default()];
    let mut y = 60.0;
    let left = 50.0;
    let bar_x = 250.0;
    let bar_w = 250.0;
    fn next(pages: &mut Vec<Page>, y: &mut f64, need: f64) {
        if *y + need > 800.0 {
            pages.push(Page::default());
            *y = 60.0;
        }
    }
    let s = &a.survey;
    if let Some(p) = pages.last_mut() {
        p.text(left, y, 16.0, &format!("{} · 分析报告", s.title));
        y += 24.0;
        p.text(
            left,
            y,
            10.0,
            &format!("调查期间 {} 至 {}", s.opens_on, s.closes_on),
        );
        y += 16.0;
        p.text(
            left,
            y,
            10.0,
            &format!(
                "答卷 {} / 调查 {} 人，答卷率 {}；满意度指数（4–5 分占比）{}；平均分 {}",
                a.responses,
                a.targeted,
                pct(a.response_rate),
                pct(a.satisfaction_index),
                a.mean_score
                    .map(|m| format!("{m:.2}"))
                    .unwrap_or_else(|| "—".into())
            ),
        );
        y += 24.0;
    }
    for (i, q) in a.questions.iter().enumerate() {
        let lines: Vec<(String, f64, String)> = match q.kind {
            QuestionKind::Single | QuestionKind::Multiple => q
                .options
                .iter()
                .map(|o| {
                    (
                        o.label.clone(),
                        o.share,
                        format!("{} 人 {:.1}%", o.count, o.share),
                    )
                })
                .collect(),
            QuestionKind::Score => q
                .scores
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(|(k, n)| {
                    let sh = share(*n, q.answered);
                    (format!("{} 分", k + 1), sh, format!("{n} 人 {sh:.1}%"))
                })
                .collect(),
            QuestionKind::Text => q
                .comments
                .iter()
                .take(8)
                .map(|c| (c.chars().take(40).collect(), -1.0, String::new()))
                .collect(),
        };
        next(&mut pages, &mut y, 20.0 + 14.0 * lines.len() as f64);
        let Some(p) = pages.last_mut() else { break };
        let mut head = format!("{}. {}（{} 人作答）", i + 1, q.text, q.answered);
        if let Some(m) = q.mean {
            head.push_str(&format!(" 平均分 {m:.2}"));
        }
        p.text(left, y, 11.0, &head);
        y += 16.0;
        for (label, sh, tail) in lines {
            p.text(left + 12.0, y, 9.0, &label);
            if sh >= 0.0 {
                // A bar as a few strokes: the PDF machinery draws text and lines.
                let w = bar_w * sh / 100.0;
                for k in 0..5 {
                    let yy = y - 7.0 + f64::from(k) * 1.5;
                    p.line(bar_x, yy, bar_x + w.max(0.5), yy);
                }
                p.text(bar_x + bar_w + 8.0, y, 9.0, &tail);
            }
            y += 14.0;
        }
        y += 8.0;
    }
    document(&pages, &f)
}
