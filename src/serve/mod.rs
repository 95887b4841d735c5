//! `tdkt serve`: the campaign as a web application (contracts.md).
//!
//! axum on a small tokio runtime serves pages (Tera templates, htmx, all
//! embedded) and the JSON API. Handlers call the pipeline's own functions
//! on blocking threads; nothing is re-implemented for the web. What writes
//! is serialised: the register has one writer at a time (`writer`), builds
//! queue on one worker (`jobs`), uploads are saved under a fresh name
//! atomically. Reading never waits on a writer: the inbox is judged afresh
//! when it or the register changed, and the last judgement is shared.

// Handlers refuse with a ready `Response` (`Result<T, Response>`), axum's
// own idiom; refusals are the cold path, so their size does not matter.
#![allow(clippy::result_large_err)]

mod api;
mod auth;
mod html;
mod jobs;
mod pages;
mod upload;
mod views;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use anyhow::{Context, Result, bail};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::aggregate::Aggregate;
use crate::pipeline::{self, Checked};
use crate::register::Register;
use crate::settings::Settings;

pub use auth::hash_password;

/// Where `tdkt serve` listens without `--bind`.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// The server's shared state.
pub struct App {
    pub settings: Arc<Settings>,
    /// Users are configured: pages need a signed-in session.
    pub sign_in: bool,
    /// Listening on loopback only.
    pub local_only: bool,
    sessions: auth::Sessions,
    jobs: jobs::Jobs,
    /// The register's one writer (sign-offs, merges, links, builds).
    writer: Arc<Mutex<()>>,
    judged: Mutex<Option<(Fingerprint, Arc<Judged>)>>,
    /// Held while the inbox is judged: requests that arrive meanwhile wait
    /// for that judgement instead of making their own.
    judging: Mutex<()>,
}

/// The inbox judged: `check`'s result and the lists it makes.
pub struct Judged {
    pub checked: Checked,
    pub lists: Aggregate,
}

/// What the judgement depends on: the inbox's files and the register.
type Fingerprint = Vec<(PathBuf, u64, Option<SystemTime>)>;

/// Serves `settings`' campaign on `bind` until SIGTERM or Ctrl-C.
pub fn serve(mut settings: Settings, bind: SocketAddr) -> Result<()> {
    // The inbox is judged again after every change: unchanged workbooks are
    // not read again.
    settings.reader.cache = Some(Arc::default());
    let users = Register::open(&settings.register.path)?.web_users()?;
    let local_only = bind.ip().is_loopback();
    if !local_only && users.is_empty() {
        bail!(
            "Chưa có người dùng nên tdkt chỉ phục vụ trên máy này (127.0.0.1): để mở cho máy khác, \
             hãy thêm người dùng bằng: tdkt user add TÊN --role clerk"
        );
    }
    let settings = Arc::new(settings);
    let writer = Arc::new(Mutex::new(()));
    let audit_path = settings.register.path.clone();
    let jobs = jobs::Jobs::start(
        settings.clone(),
        writer.clone(),
        Box::new(move |job, outcome| {
            let detail = match outcome {
                Ok(summary) => format!("Bản dựng {}: {summary}", job.id),
                Err(message) => format!("Bản dựng {} thất bại: {message}", job.id),
            };
            if let Ok(mut register) = Register::open(&audit_path) {
                let _ = register.audit(&job.actor, "dựng", &detail);
            }
        }),
    )?;
    let app = Arc::new(App {
        settings,
        sign_in: !users.is_empty(),
        local_only,
        sessions: auth::Sessions::default(),
        jobs,
        writer,
        judged: Mutex::new(None),
        judging: Mutex::new(()),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let served = runtime.block_on(listen(app.clone(), bind));
    app.jobs.finish();
    served
}

async fn listen(app: Arc<App>, bind: SocketAddr) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("Không mở được cổng {bind} (đã có chương trình khác dùng?)"))?;
    let address = listener.local_addr()?;
    println!("tdkt đang phục vụ đợt xét tại http://{address}/ (Ctrl-C để dừng)");
    if !app.local_only {
        eprintln!(
            "Lưu ý: hãy đặt tdkt sau một máy chủ HTTPS (nginx, Caddy) để mật khẩu và phiên làm việc được mã hóa."
        );
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    axum::serve(listener, routes(app))
        .with_graceful_shutdown(shutdown())
        .await?;
    eprintln!("Đã dừng máy chủ tdkt.");
    Ok(())
}

/// SIGTERM or Ctrl-C.
async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    let mut terminate =
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => {
                let _ = interrupt.await;
                return;
            }
        };
    tokio::select! {
        _ = interrupt => {}
        _ = terminate.recv() => {}
    }
}

fn routes(app: Arc<App>) -> Router {
    // Room for the form's other fields around the workbook itself.
    let body_limit = app.settings.upload_limit.saturating_add(64 * 1024);
    Router::new()
        .route("/", get(pages::dashboard))
        .route("/tai-len", post(pages::upload))
        .route("/don-vi/{code}", get(pages::unit))
        .route("/don-vi/{code}/phan-hoi.xlsx", get(pages::unit_feedback))
        .route("/don-vi/{code}/lien-ket", post(pages::new_link))
        .route("/don-vi/{code}/thu-hoi", post(pages::revoke_links))
        .route(
            "/nop/{token}",
            get(pages::link_page).post(pages::link_upload),
        )
        .route("/nop/{token}/phan-hoi.xlsx", get(pages::link_feedback))
        .route("/dung", get(pages::build_page).post(pages::start_build))
        .route("/dung/{job}", get(pages::job_page))
        .route("/dung/{job}/tien-do", get(pages::job_progress))
        .route("/quyet-dinh", get(pages::decisions))
        .route(
            "/quyet-dinh/{id}/ky",
            get(pages::sign_page).post(pages::sign),
        )
        .route(
            "/xac-minh",
            get(pages::verify_form).post(pages::verify_upload),
        )
        .route("/verify/{number}", get(pages::verify_number))
        .route("/nguoi", get(pages::people))
        .route("/nguoi/gop", post(pages::merge_people))
        .route("/nguoi/tach", post(pages::split_person))
        .route("/nhat-ky", get(pages::audit))
        .route("/dang-nhap", get(pages::sign_in_page).post(pages::sign_in))
        .route("/dang-xuat", post(pages::sign_out))
        .route("/tai-nguyen/{name}", get(html::asset))
        .route("/files/{*path}", get(pages::output_file))
        .route("/api/check", get(api::check))
        .route("/api/inbox", post(api::inbox))
        .route("/api/build", post(api::build))
        .route("/api/jobs/{job}", get(api::job))
        .route("/api/decisions", get(api::decisions))
        .route("/api/decisions/{id}/sign", post(api::sign))
        .route("/api/verify/{number}", get(api::verify))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            auth::guard,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(app)
}

impl App {
    /// The register, opened for this request.
    pub fn register(&self) -> Result<Register> {
        Register::open(&self.settings.register.path)
    }

    /// Runs `change` as the register's one writer and notes it in the
    /// audit log.
    pub fn write_register<T>(
        &self,
        actor: &str,
        action: &str,
        change: impl FnOnce(&mut Register) -> Result<(T, String)>,
    ) -> Result<T> {
        let _writing = self
            .writer
            .lock()
            .map_err(|_| anyhow::anyhow!("sổ khen thưởng đang bị khóa"))?;
        let mut register = self.register()?;
        let (value, detail) = change(&mut register)?;
        register.audit(actor, action, &detail)?;
        Ok(value)
    }

    /// Notes what was done in the audit log.
    pub fn audit(&self, actor: &str, action: &str, detail: &str) -> Result<()> {
        let _writing = self
            .writer
            .lock()
            .map_err(|_| anyhow::anyhow!("sổ khen thưởng đang bị khóa"))?;
        self.register()?.audit(actor, action, detail)
    }

    /// The inbox as it is now, judged (again only when it or the register
    /// changed since the last time).
    pub fn judged(&self) -> Result<Arc<Judged>> {
        if let Some(judged) = self.judged_still() {
            return Ok(judged);
        }
        let _judging = self
            .judging
            .lock()
            .map_err(|_| anyhow::anyhow!("không xét lại được hồ sơ"))?;
        if let Some(judged) = self.judged_still() {
            return Ok(judged);
        }
        let fingerprint = self.fingerprint();
        let checked = pipeline::check(&self.settings)?;
        let lists = pipeline::lists(&self.settings, &checked);
        let judged = Arc::new(Judged { checked, lists });
        if let Ok(mut cache) = self.judged.lock() {
            *cache = Some((fingerprint, judged.clone()));
        }
        Ok(judged)
    }

    /// The last judgement, if the inbox and the register are as they were.
    fn judged_still(&self) -> Option<Arc<Judged>> {
        let fingerprint = self.fingerprint();
        let cache = self.judged.lock().ok()?;
        let (seen, judged) = cache.as_ref()?;
        (*seen == fingerprint).then(|| judged.clone())
    }

    fn fingerprint(&self) -> Fingerprint {
        let register = &self.settings.register.path;
        walkdir::WalkDir::new(&self.settings.inbox)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_map(|entry| entry.ok())
            .map(|entry| entry.into_path())
            .chain(std::iter::once(register.clone()))
            .filter_map(|path| {
                let metadata = std::fs::metadata(&path).ok()?;
                Some((path, metadata.len(), metadata.modified().ok()))
            })
            .collect()
    }
}
