//! The JSON API of contracts.md: stable routes for scripts, answering with
//! the CLI's own objects.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::App;
use super::auth::{Access, Ctx, bearer_token};
use super::pages::{sign_decision, verify_text};
use super::upload::{self, Refused};

type Shared = State<Arc<App>>;

fn refusal(status: StatusCode, message: &str) -> Response {
    let mut response = (status, axum::Json(json!({ "message": message }))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Basic realm=\"tdkt\""),
        );
    }
    response
}

fn clerk_only(ctx: &Ctx) -> Result<(), Response> {
    match ctx.access {
        Access::Clerk(_) => Ok(()),
        Access::Unit { .. } => Err(refusal(
            StatusCode::FORBIDDEN,
            "Tài khoản của đơn vị không dùng được chức năng này",
        )),
        Access::Anonymous => Err(refusal(
            StatusCode::UNAUTHORIZED,
            "Cần đăng nhập (HTTP Basic với tài khoản do tdkt user add tạo)",
        )),
    }
}

/// Blocking work; a failure is a 500 with its message.
async fn run<T: Send + 'static>(
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, Response> {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("{error:#}"),
        )),
        Err(_) => Err(refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "tdkt gặp lỗi nội bộ; không có tệp nào bị ghi dở",
        )),
    }
}

macro_rules! check {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(response) => return response,
        }
    };
}

/// `GET /api/check`: `tdkt check --json` for the inbox as it is now.
pub async fn check(State(app): Shared, Extension(ctx): Extension<Ctx>) -> Response {
    check!(clerk_only(&ctx));
    let json = check!(
        run(move || {
            let judged = app.judged()?;
            Ok(serde_json::to_value(judged.checked.json())?)
        })
        .await
    );
    axum::Json(json).into_response()
}

/// `POST /api/inbox`: one workbook into the inbox, judged.
pub async fn inbox(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    // Who may send: the secretariat (any unit), a unit's user or link.
    let (unit_only, actor) = match (&ctx.access, bearer_token(&headers)) {
        (Access::Clerk(actor), None) => (None, actor.clone()),
        (Access::Unit { actor, code }, None) => (Some(code.clone()), actor.clone()),
        (_, Some(token)) => {
            let checking = app.clone();
            match check!(run(move || Ok(checking.unit_of_token(&token))).await) {
                Some(code) => (Some(code.clone()), format!("liên kết của đơn vị {code}")),
                None => {
                    return refusal(
                        StatusCode::UNAUTHORIZED,
                        "Liên kết nộp hồ sơ không đúng hoặc đã bị thu hồi",
                    );
                }
            }
        }
        (Access::Anonymous, None) => {
            return refusal(
                StatusCode::UNAUTHORIZED,
                "Cần đăng nhập, hoặc liên kết nộp hồ sơ của đơn vị (Authorization: Bearer …)",
            );
        }
    };
    let limit = app.settings.upload_limit;
    let mut sent = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                match field.bytes().await {
                    Ok(bytes) => {
                        sent = Some((name, bytes.to_vec()));
                        break;
                    }
                    Err(error) => return multipart_refusal(limit, error.status()),
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(error) => return multipart_refusal(limit, error.status()),
        }
    }
    let Some((name, bytes)) = sent else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "Thiếu tệp: gửi bảng tính trong trường 'file' (multipart/form-data)",
        );
    };
    let accepted = check!(
        run(move || {
            let result = upload::accept(&app, &name, &bytes, unit_only.as_deref());
            if let Ok(accepted) = &result {
                app.audit(&actor, "tải lên", &format!("Tệp {}", accepted.file))?;
            }
            Ok(result)
        })
        .await
    );
    match accepted {
        Ok(accepted) => axum::Json(accepted).into_response(),
        Err(Refused::Input(message)) => refusal(StatusCode::BAD_REQUEST, &message),
        Err(Refused::Failed(error)) => {
            refusal(StatusCode::INTERNAL_SERVER_ERROR, &format!("{error:#}"))
        }
    }
}

fn multipart_refusal(limit: usize, status: StatusCode) -> Response {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        refusal(status, &format!("Tệp quá lớn: tối đa {} MiB", limit >> 20))
    } else {
        refusal(
            StatusCode::BAD_REQUEST,
            "Không đọc được nội dung gửi lên (multipart/form-data)",
        )
    }
}

/// `POST /api/build`: 202 with the job.
pub async fn build(State(app): Shared, Extension(ctx): Extension<Ctx>) -> Response {
    check!(clerk_only(&ctx));
    match app.jobs.submit(ctx.access.actor()) {
        Some(job) => (StatusCode::ACCEPTED, axum::Json(json!({ "job": job.id }))).into_response(),
        None => refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            "Máy chủ đang dừng: không nhận thêm bản dựng",
        ),
    }
}

/// `GET /api/jobs/{job}`.
pub async fn job(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Response {
    check!(clerk_only(&ctx));
    match app.jobs.get(&id) {
        Some(job) => axum::Json(job.status()).into_response(),
        None => refusal(StatusCode::NOT_FOUND, "Không có bản dựng này"),
    }
}

/// `GET /api/decisions`: `tdkt decisions --json`.
pub async fn decisions(State(app): Shared, Extension(ctx): Extension<Ctx>) -> Response {
    check!(clerk_only(&ctx));
    let decisions = check!(run(move || crate::pipeline::decisions(&app.settings)).await);
    axum::Json(json!({ "decisions": decisions })).into_response()
}

#[derive(Deserialize)]
pub struct SignRequest {
    date: Option<chrono::NaiveDate>,
    number: Option<u32>,
}

/// `POST /api/decisions/{id}/sign`: 200 with the decision, 409 refused.
pub async fn sign(
    State(app): Shared,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    check!(clerk_only(&ctx));
    let request: SignRequest = if body.iter().all(u8::is_ascii_whitespace) {
        SignRequest {
            date: None,
            number: None,
        }
    } else {
        match serde_json::from_slice(&body) {
            Ok(request) => request,
            Err(error) => {
                return refusal(
                    StatusCode::BAD_REQUEST,
                    &format!(
                        "Nội dung không đúng: cần JSON {{\"date\": \"YYYY-MM-DD\", \"number\": n}} ({error})"
                    ),
                );
            }
        }
    };
    let actor = ctx.access.actor().to_string();
    let signed =
        check!(run(move || sign_decision(&app, &actor, &id, request.date, request.number)).await);
    match signed {
        Ok(record) => axum::Json(record).into_response(),
        Err(reason) => refusal(StatusCode::CONFLICT, &reason),
    }
}

/// `GET /api/verify/{number}`: public.
pub async fn verify(State(app): Shared, Path(number): Path<String>) -> Response {
    let view = check!(run(move || verify_text(&app, &number)).await);
    let mut json: Value = json!({ "genuine": view.genuine, "message": view.message });
    if view.genuine {
        json["name"] = json!(view.name);
        json["unit"] = json!(view.unit);
        json["honour"] = json!(view.honour);
        json["decision"] = json!(view.decision);
        json["date"] = json!(view.date_iso);
    }
    axum::Json(json).into_response()
}
