//! Pages from Tera templates and the assets they use, all embedded in the
//! binary (`web/`).

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use super::auth::{Access, Ctx};

/// The page templates, by name.
const PAGES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../web/pages/base.html")),
    ("macros.html", include_str!("../../web/pages/macros.html")),
    (
        "dashboard.html",
        include_str!("../../web/pages/dashboard.html"),
    ),
    (
        "uploaded.html",
        include_str!("../../web/pages/uploaded.html"),
    ),
    (
        "uploaded_page.html",
        include_str!("../../web/pages/uploaded_page.html"),
    ),
    ("unit.html", include_str!("../../web/pages/unit.html")),
    ("outputs.html", include_str!("../../web/pages/outputs.html")),
    ("build.html", include_str!("../../web/pages/build.html")),
    ("job.html", include_str!("../../web/pages/job.html")),
    (
        "progress.html",
        include_str!("../../web/pages/progress.html"),
    ),
    (
        "decisions.html",
        include_str!("../../web/pages/decisions.html"),
    ),
    ("sign.html", include_str!("../../web/pages/sign.html")),
    ("verify.html", include_str!("../../web/pages/verify.html")),
    ("people.html", include_str!("../../web/pages/people.html")),
    ("audit.html", include_str!("../../web/pages/audit.html")),
    ("sign_in.html", include_str!("../../web/pages/sign_in.html")),
    ("message.html", include_str!("../../web/pages/message.html")),
];

/// The assets pages load, by the name they are served under.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_str!("../../web/htmx-2.0.11.min.js"),
    ),
    (
        "tdkt.js",
        "text/javascript; charset=utf-8",
        include_str!("../../web/tdkt.js"),
    ),
    (
        "tdkt.css",
        "text/css; charset=utf-8",
        include_str!("../../web/tdkt.css"),
    ),
];

fn engine() -> &'static Result<tera::Tera, String> {
    static ENGINE: OnceLock<Result<tera::Tera, String>> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut tera = tera::Tera::default();
        tera.add_raw_templates(PAGES.iter().copied())
            .map_err(|e| format!("{e:?}"))?;
        Ok(tera)
    })
}

/// What every page knows besides its own view.
#[derive(Serialize)]
struct Common<'a> {
    csrf: &'a str,
    /// "clerk", "unit" or "" (nobody signed in).
    role: &'static str,
    actor: &'a str,
    signed_in: bool,
}

/// A page rendered from `template` with `view`.
pub fn page(status: StatusCode, template: &str, ctx: &Ctx, view: &impl Serialize) -> Response {
    let rendered = match engine() {
        Ok(tera) => tera::Context::from_serialize(view)
            .map_err(|e| format!("{e:?}"))
            .and_then(|mut context| {
                context.insert(
                    "common",
                    &Common {
                        csrf: &ctx.csrf,
                        role: match ctx.access {
                            Access::Clerk(_) => "clerk",
                            Access::Unit { .. } => "unit",
                            Access::Anonymous => "",
                        },
                        actor: ctx.access.actor(),
                        signed_in: ctx.signed_in,
                    },
                );
                tera.render(template, &context)
                    .map_err(|e| format!("{e:?}"))
            }),
        Err(error) => Err(error.clone()),
    };
    match rendered {
        Ok(body) => (status, Html(body)).into_response(),
        Err(error) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("Lỗi dựng trang {template}: {error}"),
        )
            .into_response(),
    }
}

/// A page that only says something.
pub fn message(status: StatusCode, ctx: &Ctx, title: &str, text: &str) -> Response {
    #[derive(Serialize)]
    struct View<'a> {
        title: &'a str,
        text: &'a str,
    }
    page(status, "message.html", ctx, &View { title, text })
}

/// `GET /tai-nguyen/{name}`: an embedded asset.
pub async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_page_template_parses() {
        if let Err(error) = super::engine() {
            panic!("{error}");
        }
    }
}
