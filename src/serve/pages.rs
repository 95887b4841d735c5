//! The pages people use. Each handler checks who is asking, runs the
//! pipeline's own function on a blocking thread, and renders a template.

use std::path::{Component, PathBuf};
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::App;
use super::auth::{self, Access, Ctx};
use super::html::{message, page};
use super::jobs::{Job, JobStatus, State as JobState};
use super::upload::{self, Accepted, Refused};
use super::views::{Dashboard, Problem, UnitPage, VerdictRow, stamp_vi};
use crate::pipeline::{self, Verification};
use crate::register::{DecisionRecord, SignOutcome};

type Shared = State<Arc<App>>;

/// Runs blocking work (the pipeline, the register) off the async threads;
/// a failure is a page that says what went wrong.
pub async fn run<T: Send + 'static>(
    ctx: &Ctx,
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, Response> {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(message(
            StatusCode::INTERNAL_SERVER_ERROR,
            ctx,
            "Không làm được",
            &crate::text::printable(&format!("{error:#}")),
        )),
        Err(_) => Err(message(
            StatusCode::INTERNAL_SERVER_ERROR,
            ctx,
            "Lỗi nội bộ",
            "tdkt gặp lỗi nội bộ khi làm việc này; không có tệp nào bị ghi dở.",
        )),
    }
}

/// The secretariat only: a unit is sent to its own page, nobody to sign in.
fn clerk_only(ctx: &Ctx) -> Result<(), Response> {
    match &ctx.access {
        Access::Clerk(_) => Ok(()),
        Access::Unit { code, .. } => Err(Redirect::to(&format!("/don-vi/{code}")).into_response()),
        Access::Anonymous => Err(Redirect::to("/dang-nhap").into_response()),
    }
}

/// The secretariat or unit `code`'s own user.
fn clerk_or_unit(ctx: &Ctx, code: &str) -> Result<(), Response> {
    match &ctx.access {
        Access::Clerk(_) => Ok(()),
        Access::Unit { code: own, .. } if own == code => Ok(()),
        Access::Unit { .. } => Err(message(
            StatusCode::FORBIDDEN,
            ctx,
            "Không được xem",
            "Tài khoản của đơn vị chỉ xem được hồ sơ của chính đơn vị mình.",
        )),
        Access::Anonymous => Err(Redirect::to("/dang-nhap").into_response()),
    }
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

macro_rules! check {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(response) => return response,
        }
    };
}

pub async fn not_found(Extension(ctx): Extension<Ctx>) -> Response {
    message(
        StatusCode::NOT_FOUND,
        &ctx,
        "Không có trang này",
        "Địa chỉ này không có trong tdkt. Hãy quay lại trang tổng quan.",
    )
}

/// `GET /`: the campaign at a glance.
pub async fn dashboard(State(app): Shared, Extension(ctx): Extension<Ctx>) -> Response {
    check!(clerk_only(&ctx));
    let view = check!(
        run(&ctx, move || {
            let judged = app.judged()?;
            Ok(Dashboard::new(&app.settings, &judged))
        })
        .await
    );
    page(StatusCode::OK, "dashboard.html", &ctx, &view)
}

/// One file's outcome, as the upload answer lists it.
#[derive(Serialize)]
struct Outcome {
    name: String,
    kept: Option<String>,
    unit: Option<String>,
    refused: Option<String>,
    problems: Vec<Problem>,
    verdicts: Vec<VerdictRow>,
    errors: usize,
}

impl Outcome {
    fn of(name: String, result: Result<Accepted, Refused>) -> Outcome {
        match result {
            Ok(accepted) => Outcome {
                name,
                errors: accepted.diagnostics.iter().filter(|d| d.is_error()).count()
                    + accepted.verdicts.iter().filter(|v| !v.eligible).count(),
                unit: accepted.unit.map(|u| format!("{} ({})", u.name, u.code)),
                kept: Some(accepted.file),
                refused: None,
                problems: accepted.diagnostics.iter().map(Problem::from).collect(),
                verdicts: accepted.verdicts.iter().map(VerdictRow::from).collect(),
            },
            Err(refused) => Outcome {
                name,
                kept: None,
                unit: None,
                refused: Some(match refused {
                    Refused::Input(message) => message,
                    Refused::Failed(error) => format!("Máy chủ không lưu được tệp: {error:#}"),
                }),
                problems: Vec::new(),
                verdicts: Vec::new(),
                errors: 0,
            },
        }
    }
}

/// The files of a multipart form's `file` fields; a refusal is a page.
async fn files_sent(
    ctx: &Ctx,
    limit: usize,
    multipart: &mut Multipart,
) -> Result<Vec<(String, Vec<u8>)>, Response> {
    let mut files = Vec::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                if field.name() != Some("file") {
                    continue;
                }
                let name = field.file_name().unwrap_or("").to_string();
                match field.bytes().await {
                    Ok(bytes) if name.is_empty() && bytes.is_empty() => {}
                    Ok(bytes) => files.push((name, bytes.to_vec())),
                    Err(error) => return Err(multipart_refusal(ctx, limit, error.status())),
                }
            }
            Ok(None) => return Ok(files),
            Err(error) => return Err(multipart_refusal(ctx, limit, error.status())),
        }
    }
}

fn multipart_refusal(ctx: &Ctx, limit: usize, status: StatusCode) -> Response {
    let text = if status == StatusCode::PAYLOAD_TOO_LARGE {
        format!(
            "Tệp gửi lên quá lớn: mỗi lần gửi tối đa {} MiB. Hãy gửi từng tệp một.",
            limit >> 20
        )
    } else {
        "Không đọc được tệp gửi lên: hãy chọn lại tệp và gửi lại.".to_string()
    };
    message(status, ctx, "Không nhận được tệp", &text)
}

/// Saves and judges each file; answers with what happened to each.
async fn take_uploads(
    app: Arc<App>,
    ctx: &Ctx,
    headers: &HeaderMap,
    mut multipart: Multipart,
    unit_only: Option<String>,
    actor: String,
) -> Response {
    let files = check!(files_sent(ctx, app.settings.upload_limit, &mut multipart).await);
    if files.is_empty() {
        return message(
            StatusCode::BAD_REQUEST,
            ctx,
            "Chưa chọn tệp",
            "Hãy chọn hoặc kéo thả tệp Excel hồ sơ đề nghị vào ô tải lên.",
        );
    }
    let outcomes = check!(
        run(ctx, move || {
            let mut outcomes = Vec::new();
            for (name, bytes) in files {
                let result = upload::accept(&app, &name, &bytes, unit_only.as_deref());
                if let Ok(accepted) = &result {
                    app.audit(&actor, "tải lên", &format!("Tệp {}", accepted.file))?;
                }
                outcomes.push(Outcome::of(upload::safe_name(&name), result));
            }
            Ok(outcomes)
        })
        .await
    );
    let status = if outcomes.iter().all(|o| o.refused.is_some()) {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    #[derive(Serialize)]
    struct View {
        outcomes: Vec<Outcome>,
    }
    let template = if is_htmx(headers) {
        "uploaded.html"
    } else {
        "uploaded_page.html"
    };
    page(status, template, ctx, &View { outcomes })
}

/// `POST /tai-len`: the secretariat drops workbooks.
pub async fn upload(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    check!(clerk_only(&ctx));
    let actor = ctx.access.actor().to_string();
    take_uploads(app, &ctx, &headers, multipart, None, actor).await
}

#[derive(Serialize)]
struct UnitView {
    #[serde(flatten)]
    page: UnitPage,
    /// Where uploads and the feedback go: the unit's page, or its link.
    base: String,
    links: Vec<LinkRow>,
    new_link: Option<String>,
    by_link: bool,
}

#[derive(Serialize)]
struct LinkRow {
    created: String,
    revoked: Option<String>,
}

async fn unit_view(
    app: Arc<App>,
    ctx: &Ctx,
    code: String,
    by_link: Option<String>,
    new_link: Option<String>,
) -> Response {
    let clerk = matches!(ctx.access, Access::Clerk(_)) && by_link.is_none();
    let view = check!(
        run(ctx, move || {
            let judged = app.judged()?;
            let Some(page) = UnitPage::new(&app.settings, &judged, &code) else {
                return Ok(None);
            };
            let links = if clerk {
                app.register()?
                    .unit_links()?
                    .into_iter()
                    .filter(|l| l.unit_code == code)
                    .map(|l| LinkRow {
                        created: stamp_vi(&l.created),
                        revoked: l.revoked.as_deref().map(stamp_vi),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let base = match &by_link {
                Some(token) => format!("/nop/{token}"),
                None => format!("/don-vi/{code}"),
            };
            Ok(Some(UnitView {
                page,
                base,
                links,
                new_link,
                by_link: by_link.is_some(),
            }))
        })
        .await
    );
    match view {
        Some(view) => page(StatusCode::OK, "unit.html", ctx, &view),
        None => message(
            StatusCode::NOT_FOUND,
            ctx,
            "Không có đơn vị này",
            "Mã đơn vị không có trong danh sách đơn vị, cũng không có hồ sơ nào của đơn vị này.",
        ),
    }
}

/// `GET /don-vi/{code}`: one unit's workbook, problems and verdicts.
pub async fn unit(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    Path(code): Path<String>,
) -> Response {
    check!(clerk_or_unit(&ctx, &code));
    unit_view(app, &ctx, code, None, None).await
}

/// The feedback workbook of unit `code`, as a download.
async fn feedback_download(app: Arc<App>, ctx: &Ctx, code: String) -> Response {
    let name = format!("phan-hoi-{}.xlsx", crate::text::slug(&code));
    let bytes = check!(
        run(ctx, move || {
            let judged = app.judged()?;
            let checked = &judged.checked;
            let Some(index) = checked
                .reading
                .submissions
                .iter()
                .position(|s| s.unit_code() == code)
            else {
                return Ok(None);
            };
            let input = crate::feedback::FeedbackInput {
                submissions: &checked.reading.submissions,
                records: &checked.records(),
                validation: &checked.validation,
                diagnostics: &checked.reading.diagnostics,
                regulation: &app.settings.regulation,
                year: checked.reading.year,
            };
            crate::feedback::unit_feedback(&input, index).map(Some)
        })
        .await
    );
    match bytes {
        Some(bytes) => download(&name, XLSX, bytes),
        None => message(
            StatusCode::NOT_FOUND,
            ctx,
            "Chưa có hồ sơ",
            "Đơn vị này chưa gửi hồ sơ nên chưa có phản hồi.",
        ),
    }
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn download(name: &str, content_type: &'static str, bytes: Vec<u8>) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /don-vi/{code}/phan-hoi.xlsx`.
pub async fn unit_feedback(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    Path(code): Path<String>,
) -> Response {
    check!(clerk_or_unit(&ctx, &code));
    feedback_download(app, &ctx, code).await
}

/// `POST /don-vi/{code}/lien-ket`: a new private upload link for the unit,
/// shown once.
pub async fn new_link(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    check!(clerk_only(&ctx));
    let token = auth::random_token();
    let hash = crate::text::sha256_hex(token.as_bytes());
    let actor = ctx.access.actor().to_string();
    let writing = app.clone();
    let unit = code.clone();
    check!(
        run(&ctx, move || {
            writing.write_register(&actor, "tạo liên kết", |register| {
                register.add_unit_link(&unit, &hash)?;
                Ok(((), format!("Liên kết nộp hồ sơ mới cho đơn vị {unit}")))
            })
        })
        .await
    );
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if headers
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes() == b"https")
    {
        "https"
    } else {
        "http"
    };
    let link = format!("{scheme}://{host}/nop/{token}");
    unit_view(app, &ctx, code, None, Some(link)).await
}

/// `POST /don-vi/{code}/thu-hoi`: revokes the unit's links.
pub async fn revoke_links(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    Path(code): Path<String>,
) -> Response {
    check!(clerk_only(&ctx));
    let actor = ctx.access.actor().to_string();
    let writing = app.clone();
    let unit = code.clone();
    check!(
        run(&ctx, move || {
            writing.write_register(&actor, "thu hồi liên kết", |register| {
                let revoked = register.revoke_unit_links(&unit)?;
                Ok(((), format!("Thu hồi {revoked} liên kết của đơn vị {unit}")))
            })
        })
        .await
    );
    unit_view(app, &ctx, code, None, None).await
}

/// The unit a link's token reaches, or the page saying it does not.
async fn link_unit(app: &Arc<App>, ctx: &Ctx, token: &str) -> Result<String, Response> {
    let checking = app.clone();
    let token = token.to_string();
    let unit = run(ctx, move || Ok(checking.unit_of_token(&token))).await?;
    unit.ok_or_else(|| {
        message(
            StatusCode::NOT_FOUND,
            ctx,
            "Liên kết không còn hiệu lực",
            "Liên kết nộp hồ sơ này không đúng hoặc đã bị thu hồi. Hãy liên hệ Thường trực Hội đồng Thi đua - Khen thưởng để nhận liên kết mới.",
        )
    })
}

/// `GET /nop/{token}`: a unit's own page, reached by its private link.
pub async fn link_page(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    Path(token): Path<String>,
) -> Response {
    let code = check!(link_unit(&app, &ctx, &token).await);
    let ctx = ctx.through_link(&code);
    unit_view(app, &ctx, code, Some(token), None).await
}

/// `POST /nop/{token}`: a unit uploads its own workbook.
pub async fn link_upload(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    Path(token): Path<String>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let code = check!(link_unit(&app, &ctx, &token).await);
    let ctx = ctx.through_link(&code);
    let actor = ctx.access.actor().to_string();
    take_uploads(app, &ctx, &headers, multipart, Some(code), actor).await
}

/// `GET /nop/{token}/phan-hoi.xlsx`.
pub async fn link_feedback(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    Path(token): Path<String>,
) -> Response {
    let code = check!(link_unit(&app, &ctx, &token).await);
    let ctx = ctx.through_link(&code);
    feedback_download(app, &ctx, code).await
}

#[derive(Serialize)]
struct JobView {
    id: String,
    actor: String,
    asked: String,
    #[serde(flatten)]
    status: JobStatus,
    percent: u64,
    running: bool,
}

impl JobView {
    fn of(job: &Job) -> JobView {
        let status = job.status();
        let percent = (status.done * 100).checked_div(status.total).unwrap_or(0);
        JobView {
            id: job.id.clone(),
            actor: job.actor.clone(),
            asked: job.asked.clone(),
            running: matches!(status.state, JobState::Queued | JobState::Running),
            percent,
            status,
        }
    }
}

/// A file of the output folder, for the list of outputs.
#[derive(Serialize)]
struct OutputFile {
    /// Relative to the output folder, with `/`.
    path: String,
    /// Relative to its group's folder.
    name: String,
}

/// The outputs of one kind: the main files, and one file per person.
#[derive(Serialize)]
struct OutputGroup {
    title: String,
    main: Vec<OutputFile>,
    each: Vec<OutputFile>,
}

/// A build's top folders in the order people look for things, with what
/// they hold.
const OUTPUT_KINDS: &[(&str, &str)] = &[
    ("", "Tổng hợp kết quả xét"),
    ("bao-cao", "Báo cáo"),
    ("quyet-dinh", "Dự thảo quyết định"),
    ("to-trinh", "Tờ trình"),
    ("bang-khen", "Bằng khen"),
    ("chien-si-thi-dua-co-so", "Chiến sĩ thi đua cơ sở"),
    ("giay-khen", "Giấy khen"),
    ("phan-hoi", "Phản hồi cho đơn vị"),
    ("so-khen-thuong", "Sổ khen thưởng"),
];

/// Every file of the output folder, relative, sorted (hidden ones left out).
fn output_paths(app: &App) -> Vec<String> {
    let root = &app.settings.output;
    let mut paths: Vec<String> = walkdir::WalkDir::new(root)
        .max_depth(3)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| Some(e.path().strip_prefix(root).ok()?.to_str()?.to_string()))
        .filter(|relative| !relative.starts_with('.') && !relative.contains("/."))
        .collect();
    paths.sort();
    paths
}

/// The output folder by kind, in the order people look for things.
fn output_groups(app: &App) -> Vec<OutputGroup> {
    let mut groups: Vec<OutputGroup> = Vec::new();
    for path in output_paths(app) {
        let (folder, name) = path.split_once('/').unwrap_or(("", path.as_str()));
        let file = OutputFile {
            name: name.to_string(),
            path: path.clone(),
        };
        let title = OUTPUT_KINDS
            .iter()
            .find(|(f, _)| *f == folder)
            .map_or(folder, |(_, title)| title)
            .to_string();
        let index = match groups.iter().position(|g| g.title == title) {
            Some(index) => index,
            None => {
                groups.push(OutputGroup {
                    title,
                    main: Vec::new(),
                    each: Vec::new(),
                });
                groups.len() - 1
            }
        };
        if name.contains('/') {
            groups[index].each.push(file);
        } else {
            groups[index].main.push(file);
        }
    }
    let rank = |title: &str| {
        OUTPUT_KINDS
            .iter()
            .position(|(_, t)| *t == title)
            .unwrap_or(OUTPUT_KINDS.len())
    };
    groups.sort_by_key(|g| rank(&g.title));
    groups
}

/// `GET /dung`: the outputs and the button that makes them.
pub async fn build_page(State(app): Shared, Extension(ctx): Extension<Ctx>) -> Response {
    check!(clerk_only(&ctx));
    #[derive(Serialize)]
    struct View {
        job: Option<JobView>,
        groups: Vec<OutputGroup>,
    }
    let job = app.jobs.latest().map(|job| JobView::of(&job));
    let groups = check!(run(&ctx, move || Ok(output_groups(&app))).await);
    page(StatusCode::OK, "build.html", &ctx, &View { job, groups })
}

/// `POST /dung`: queues a build and shows its progress.
pub async fn start_build(State(app): Shared, Extension(ctx): Extension<Ctx>) -> Response {
    check!(clerk_only(&ctx));
    match app.jobs.submit(ctx.access.actor()) {
        Some(job) => Redirect::to(&format!("/dung/{}", job.id)).into_response(),
        None => message(
            StatusCode::SERVICE_UNAVAILABLE,
            &ctx,
            "Máy chủ đang dừng",
            "Không nhận thêm bản dựng mới.",
        ),
    }
}

fn job_or_missing(app: &App, ctx: &Ctx, id: &str) -> Result<Arc<Job>, Response> {
    app.jobs.get(id).ok_or_else(|| {
        message(
            StatusCode::NOT_FOUND,
            ctx,
            "Không có bản dựng này",
            "Bản dựng này không có (máy chủ đã khởi động lại?).",
        )
    })
}

/// `GET /dung/{job}`: one build's progress, then its outputs.
pub async fn job_page(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Response {
    check!(clerk_only(&ctx));
    let job = check!(job_or_missing(&app, &ctx, &id));
    #[derive(Serialize)]
    struct View {
        job: JobView,
        groups: Vec<OutputGroup>,
    }
    let job = JobView::of(&job);
    let groups = if job.running {
        Vec::new()
    } else {
        check!(run(&ctx, move || Ok(output_groups(&app))).await)
    };
    page(StatusCode::OK, "job.html", &ctx, &View { job, groups })
}

/// `GET /dung/{job}/tien-do`: the progress fragment htmx polls.
pub async fn job_progress(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Response {
    check!(clerk_only(&ctx));
    let job = check!(job_or_missing(&app, &ctx, &id));
    #[derive(Serialize)]
    struct View {
        job: JobView,
    }
    let mut response = page(
        StatusCode::OK,
        "progress.html",
        &ctx,
        &View {
            job: JobView::of(&job),
        },
    );
    if !JobView::of(&job).running {
        // The whole page again, with the outputs.
        response
            .headers_mut()
            .insert("hx-refresh", HeaderValue::from_static("true"));
    }
    response
}

#[derive(Serialize)]
struct DecisionRow {
    #[serde(flatten)]
    record: DecisionRecord,
    /// What it grants, by name ("Giấy khen").
    name: String,
    document_number: Option<String>,
    date_vi: String,
    preview: Option<String>,
}

impl DecisionRow {
    fn of(app: &App, record: DecisionRecord) -> DecisionRow {
        DecisionRow {
            name: app
                .settings
                .regulation
                .honour(&record.grants)
                .map_or_else(|| record.grants.clone(), |h| h.name.clone()),
            document_number: record.document_number.clone(),
            date_vi: record
                .date
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default(),
            preview: decision_preview(app, &record.id),
            record,
        }
    }
}

/// The PDF of a decision in the output folder, if built.
fn decision_preview(app: &App, id: &str) -> Option<String> {
    let path = format!("quyet-dinh/qd-{id}.pdf");
    output_paths(app).into_iter().find(|p| *p == path)
}

/// `GET /quyet-dinh`: drafts and signed decisions.
pub async fn decisions(State(app): Shared, Extension(ctx): Extension<Ctx>) -> Response {
    check!(clerk_only(&ctx));
    #[derive(Serialize)]
    struct View {
        decisions: Vec<DecisionRow>,
    }
    let decisions = check!(
        run(&ctx, move || {
            Ok(pipeline::decisions(&app.settings)?
                .into_iter()
                .map(|record| DecisionRow::of(&app, record))
                .collect())
        })
        .await
    );
    page(StatusCode::OK, "decisions.html", &ctx, &View { decisions })
}

/// `GET /quyet-dinh/{id}/ky`: what signing will do, and the form.
pub async fn sign_page(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Response {
    check!(clerk_only(&ctx));
    #[derive(Serialize)]
    struct View {
        decision: Option<DecisionRow>,
        date: String,
    }
    let view = check!(
        run(&ctx, move || {
            let decision = pipeline::decisions(&app.settings)?
                .into_iter()
                .find(|d| d.id == id)
                .map(|record| DecisionRow::of(&app, record));
            let year = app.judged()?.checked.reading.year;
            let date = app.settings.for_year(year).documents.decision_date;
            Ok(View {
                decision,
                date: date.format("%d/%m/%Y").to_string(),
            })
        })
        .await
    );
    if view.decision.is_none() {
        return message(
            StatusCode::NOT_FOUND,
            &ctx,
            "Không có quyết định này",
            "Mã quyết định không có trong đợt xét.",
        );
    }
    page(StatusCode::OK, "sign.html", &ctx, &view)
}

#[derive(Deserialize)]
pub struct SignForm {
    date: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// Signs decision `id`: the register's one writer, an audit line, and
/// the decision as it now stands; `Err` is the refusal, as `tdkt sign`
/// gives it.
pub fn sign_decision(
    app: &App,
    actor: &str,
    id: &str,
    date: Option<chrono::NaiveDate>,
    number: Option<u32>,
) -> anyhow::Result<Result<DecisionRecord, String>> {
    let outcome = app.write_register(actor, "ký", |_| {
        let outcome = pipeline::sign(&app.settings, id, number, date)?;
        let detail = match &outcome {
            SignOutcome::Signed {
                document_number, ..
            } => format!("Ký quyết định {id}: số {document_number}"),
            SignOutcome::Refused(reason) => format!("Không ký quyết định {id}: {reason}"),
        };
        Ok((outcome, detail))
    })?;
    if let SignOutcome::Refused(reason) = outcome {
        return Ok(Err(reason));
    }
    let slug = crate::text::slug(id);
    let wanted = slug.strip_prefix("qd-").unwrap_or(&slug);
    let record = pipeline::decisions(&app.settings)?
        .into_iter()
        .find(|d| d.id == wanted)
        .ok_or_else(|| anyhow::anyhow!("quyết định {id} đã ký nhưng không tìm lại được"))?;
    Ok(Ok(record))
}

/// `POST /quyet-dinh/{id}/ky`: signs, after the confirmation box.
pub async fn sign(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<SignForm>,
) -> Response {
    check!(clerk_only(&ctx));
    if form.confirm.is_none() {
        return message(
            StatusCode::BAD_REQUEST,
            &ctx,
            "Chưa xác nhận",
            "Hãy đánh dấu ô xác nhận trước khi ký: quyết định đã ký không sửa được.",
        );
    }
    let date = form.date.trim();
    let Ok(date) = chrono::NaiveDate::parse_from_str(date, "%d/%m/%Y")
        .or_else(|_| chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d"))
    else {
        return message(
            StatusCode::BAD_REQUEST,
            &ctx,
            "Ngày ký không hợp lệ",
            "Hãy ghi ngày ký dạng ngày/tháng/năm, ví dụ 15/01/2026.",
        );
    };
    let number = match form.number.trim() {
        "" => None,
        text => match text.parse::<u32>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                return message(
                    StatusCode::BAD_REQUEST,
                    &ctx,
                    "Số quyết định không hợp lệ",
                    "Số quyết định là số nguyên dương, hoặc để trống để lấy số tiếp theo.",
                );
            }
        },
    };
    let actor = ctx.access.actor().to_string();
    let signed = check!(
        run(&ctx, move || sign_decision(
            &app,
            &actor,
            &id,
            Some(date),
            number
        ))
        .await
    );
    match signed {
        Ok(record) => message(
            StatusCode::OK,
            &ctx,
            "Đã ký",
            &format!(
                "Quyết định {} đã ký: số {}, ngày {}. Hãy dựng lại (mục Dựng văn bản) để in bản chính thức và bằng khen.",
                record.grants,
                record.document_number.unwrap_or_default(),
                record
                    .date
                    .map(|d| d.format("%d/%m/%Y").to_string())
                    .unwrap_or_default()
            ),
        ),
        Err(reason) => message(StatusCode::CONFLICT, &ctx, "Không ký", &reason),
    }
}

/// What a verification shows.
#[derive(Serialize)]
pub struct VerifyView {
    pub asked: String,
    pub genuine: bool,
    pub message: String,
    pub name: Option<String>,
    pub unit: Option<String>,
    pub honour: Option<String>,
    pub decision: Option<String>,
    pub date: Option<String>,
    /// YYYY-MM-DD, for the API.
    pub date_iso: Option<String>,
}

impl VerifyView {
    /// What a verification found; the honour by its name in `regulation`.
    pub fn of(
        asked: &str,
        verification: Verification,
        regulation: &crate::regulation::Regulation,
    ) -> VerifyView {
        match verification {
            Verification::Genuine(record) => VerifyView {
                asked: asked.to_string(),
                genuine: true,
                message: format!(
                    "Đúng sổ khen thưởng: số sổ vàng {}, cấp theo Quyết định số {} ngày {}",
                    record.register_number,
                    record.document_number,
                    record.date.format("%d/%m/%Y")
                ),
                name: Some(record.name),
                unit: Some(record.unit_name),
                honour: Some(
                    regulation
                        .honour(&record.honour)
                        .map_or(record.honour.clone(), |h| h.name.clone()),
                ),
                decision: Some(record.document_number),
                date: Some(record.date.format("%d/%m/%Y").to_string()),
                date_iso: Some(record.date.format("%Y-%m-%d").to_string()),
            },
            Verification::NotGenuine(reasons) => VerifyView {
                asked: asked.to_string(),
                genuine: false,
                message: reasons.join("; "),
                name: None,
                unit: None,
                honour: None,
                decision: None,
                date: None,
                date_iso: None,
            },
        }
    }
}

/// A register number as people type it; anything else is not looked up.
pub fn plausible_number(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty()
        && text.len() <= 40
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.'))
}

/// Verifies a register number (never a path on the server).
pub fn verify_text(app: &App, number: &str) -> anyhow::Result<VerifyView> {
    let number = number.trim();
    if !plausible_number(number) {
        return Ok(VerifyView::of(
            number,
            Verification::NotGenuine(vec![format!(
                "'{}' không phải số sổ vàng (ví dụ 2026-05-012)",
                crate::text::printable(number)
            )]),
            &app.settings.regulation,
        ));
    }
    Ok(VerifyView::of(
        number,
        pipeline::verify_number(&app.settings, number)?,
        &app.settings.regulation,
    ))
}

#[derive(Deserialize)]
pub struct NumberQuery {
    #[serde(default)]
    so: String,
}

/// `GET /xac-minh`: the form (and, with `?so=`, the answer).
pub async fn verify_form(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    Query(query): Query<NumberQuery>,
) -> Response {
    #[derive(Serialize)]
    struct View {
        result: Option<VerifyView>,
    }
    let result = if query.so.trim().is_empty() {
        None
    } else {
        Some(check!(
            run(&ctx, move || verify_text(&app, &query.so)).await
        ))
    };
    page(StatusCode::OK, "verify.html", &ctx, &View { result })
}

/// `POST /xac-minh`: an uploaded certificate PDF.
pub async fn verify_upload(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    mut multipart: Multipart,
) -> Response {
    let files = check!(files_sent(&ctx, app.settings.upload_limit, &mut multipart).await);
    let Some((name, bytes)) = files.into_iter().next() else {
        return message(
            StatusCode::BAD_REQUEST,
            &ctx,
            "Chưa chọn tệp",
            "Hãy chọn tệp PDF bằng khen, giấy khen cần xác minh.",
        );
    };
    let result = check!(
        run(&ctx, move || {
            let mut file = tempfile::Builder::new().suffix(".pdf").tempfile()?;
            std::io::Write::write_all(&mut file, &bytes)?;
            let verification = pipeline::verify_file(&app.settings, file.path())?;
            Ok(VerifyView::of(
                &upload::safe_name(&name),
                verification,
                &app.settings.regulation,
            ))
        })
        .await
    );
    #[derive(Serialize)]
    struct View {
        result: Option<VerifyView>,
    }
    let status = if result.genuine {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page(
        status,
        "verify.html",
        &ctx,
        &View {
            result: Some(result),
        },
    )
}

/// `GET /verify/{number}`: the page a certificate's QR code opens.
pub async fn verify_number(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    Path(number): Path<String>,
) -> Response {
    let result = check!(run(&ctx, move || verify_text(&app, &number)).await);
    #[derive(Serialize)]
    struct View {
        result: Option<VerifyView>,
    }
    let status = if result.genuine {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    page(
        status,
        "verify.html",
        &ctx,
        &View {
            result: Some(result),
        },
    )
}

#[derive(Deserialize)]
pub struct PeopleQuery {
    #[serde(default)]
    tim: String,
}

/// `GET /nguoi`: the people the register knows.
pub async fn people(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    Query(query): Query<PeopleQuery>,
) -> Response {
    check!(clerk_only(&ctx));
    #[derive(Serialize)]
    struct View {
        find: String,
        people: Vec<crate::register::PersonRecord>,
    }
    let find = query.tim.clone();
    let people = check!(
        run(&ctx, move || {
            if !app.settings.register.path.is_file() {
                return Ok(Vec::new());
            }
            app.register()?.people(&query.tim)
        })
        .await
    );
    page(StatusCode::OK, "people.html", &ctx, &View { find, people })
}

#[derive(Deserialize)]
pub struct MergeForm {
    keep: i64,
    other: i64,
}

/// `POST /nguoi/gop`: two register identities are one person.
pub async fn merge_people(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    axum::Form(form): axum::Form<MergeForm>,
) -> Response {
    check!(clerk_only(&ctx));
    let actor = ctx.access.actor().to_string();
    let merged = check!(
        run(&ctx, move || {
            app.write_register(&actor, "gộp người", |register| {
                let merged = register.merge_people(form.keep, form.other)?;
                let detail = match &merged {
                    Ok(()) => format!("Mã {} là cùng người với mã {}", form.other, form.keep),
                    Err(reason) => format!("Không gộp {} vào {}: {reason}", form.other, form.keep),
                };
                Ok((merged, detail))
            })
        })
        .await
    );
    match merged {
        Ok(()) => Redirect::to("/nguoi").into_response(),
        Err(reason) => message(StatusCode::CONFLICT, &ctx, "Không gộp", &reason),
    }
}

#[derive(Deserialize)]
pub struct SplitForm {
    id: i64,
}

/// `POST /nguoi/tach`: undoes a merge.
pub async fn split_person(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    axum::Form(form): axum::Form<SplitForm>,
) -> Response {
    check!(clerk_only(&ctx));
    let actor = ctx.access.actor().to_string();
    let split = check!(
        run(&ctx, move || {
            app.write_register(&actor, "tách người", |register| {
                let split = register.split_person(form.id)?;
                let detail = match &split {
                    Ok(into) => format!("Mã {} không còn là cùng người với mã {into}", form.id),
                    Err(reason) => format!("Không tách mã {}: {reason}", form.id),
                };
                Ok((split, detail))
            })
        })
        .await
    );
    match split {
        Ok(_) => Redirect::to("/nguoi").into_response(),
        Err(reason) => message(StatusCode::CONFLICT, &ctx, "Không tách", &reason),
    }
}

/// `GET /nhat-ky`: who did what, newest first.
pub async fn audit(State(app): Shared, Extension(ctx): Extension<Ctx>) -> Response {
    check!(clerk_only(&ctx));
    #[derive(Serialize)]
    struct View {
        entries: Vec<crate::register::AuditEntry>,
    }
    let entries = check!(
        run(&ctx, move || {
            let mut entries = app.register()?.audit_log(1000)?;
            for entry in &mut entries {
                entry.at = stamp_vi(&entry.at);
            }
            Ok(entries)
        })
        .await
    );
    page(StatusCode::OK, "audit.html", &ctx, &View { entries })
}

#[derive(Serialize)]
struct SignInView {
    problem: Option<String>,
}

/// `GET /dang-nhap`.
pub async fn sign_in_page(Extension(ctx): Extension<Ctx>) -> Response {
    page(
        StatusCode::OK,
        "sign_in.html",
        &ctx,
        &SignInView { problem: None },
    )
}

#[derive(Deserialize)]
pub struct SignInForm {
    name: String,
    password: String,
}

/// `POST /dang-nhap`: a new session for a user whose password matches.
pub async fn sign_in(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<SignInForm>,
) -> Response {
    let checking = app.clone();
    let name = form.name.trim().to_string();
    let role = check!(
        run(&ctx, move || Ok(auth::sign_in(
            &checking,
            &name,
            &form.password
        )
        .map(|role| (name, role))))
        .await
    );
    let Some((name, role)) = role else {
        return page(
            StatusCode::UNAUTHORIZED,
            "sign_in.html",
            &ctx,
            &SignInView {
                problem: Some("Sai tên đăng nhập hoặc mật khẩu.".to_string()),
            },
        );
    };
    let audit_name = name.clone();
    let _ = run(&ctx, {
        let app = app.clone();
        move || app.audit(&audit_name, "đăng nhập", "Đăng nhập")
    })
    .await;
    let target = match &role {
        crate::register::Role::Clerk => "/".to_string(),
        crate::register::Role::Unit(code) => format!("/don-vi/{code}"),
    };
    let (id, _) = app.sessions.create(Some((name, role)));
    let secure = app.local_only
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes() == b"https");
    let mut response = Redirect::to(&target).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, auth::session_cookie(&id, secure));
    response
}

/// `POST /dang-xuat`.
pub async fn sign_out(State(app): Shared, headers: HeaderMap) -> Response {
    if let Some(id) = auth::cookie_session(&headers) {
        app.sessions.remove(&id);
    }
    let mut response = Redirect::to("/dang-nhap").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("tdkt_phien=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"),
    );
    response
}

/// `GET /files/{path}`: a file of the output folder.
pub async fn output_file(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    Path(path): Path<String>,
) -> Response {
    check!(clerk_only(&ctx));
    let relative = PathBuf::from(&path);
    let inside = relative
        .components()
        .all(|c| matches!(c, Component::Normal(part) if !part.to_string_lossy().starts_with('.')));
    let not_found = || {
        message(
            StatusCode::NOT_FOUND,
            &ctx,
            "Không có tệp này",
            "Tệp không có trong thư mục kết quả (đã dựng chưa?).",
        )
    };
    if !inside || path.is_empty() {
        return not_found();
    }
    let root = app.settings.output.clone();
    let bytes = check!(
        run(&ctx, move || {
            let full = root.join(&relative);
            // A link inside the output folder must not lead out of it.
            let (Ok(full), Ok(root)) = (full.canonicalize(), root.canonicalize()) else {
                return Ok(None);
            };
            if !full.starts_with(&root) || !full.is_file() {
                return Ok(None);
            }
            Ok(Some(std::fs::read(full)?))
        })
        .await
    );
    let Some(bytes) = bytes else {
        return not_found();
    };
    let extension = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    let content_type = match extension.as_str() {
        "pdf" => "application/pdf",
        "xlsx" => XLSX,
        "json" => "application/json",
        "typ" | "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    ([(header::CONTENT_TYPE, content_type)], bytes).into_response()
}
