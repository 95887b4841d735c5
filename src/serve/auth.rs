//! Who is asking: sessions, passwords, unit links and the request guard
//! (CSRF, cross-site and DNS-rebinding refusals).
//!
//! Without users (loopback only) whoever reaches the server is the clerk at
//! this machine. With users, a page needs a signed-in session and a script
//! HTTP Basic credentials; a unit's upload link is a random token whose
//! SHA-256 the register keeps. Every browser gets a session cookie
//! (`HttpOnly`, `SameSite=Strict`, `Secure` where the browser keeps it) with
//! a CSRF token that every form and htmx request sends back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::App;
use crate::register::Role;

/// The session cookie's name.
const COOKIE: &str = "tdkt_phien";
/// A session unused this long is forgotten.
const IDLE: Duration = Duration::from_secs(12 * 3600);
/// At most this many sessions are kept; the oldest go first.
const MAX_SESSIONS: usize = 10_000;

/// What a request may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// The secretariat, named for the audit log.
    Clerk(String),
    /// One unit's user.
    Unit { actor: String, code: String },
    /// Nobody signed in (users are configured).
    Anonymous,
}

impl Access {
    pub fn actor(&self) -> &str {
        match self {
            Access::Clerk(actor) | Access::Unit { actor, .. } => actor,
            Access::Anonymous => "khách",
        }
    }

    fn of(name: String, role: Role) -> Access {
        match role {
            Role::Clerk => Access::Clerk(name),
            Role::Unit(code) => Access::Unit { actor: name, code },
        }
    }
}

/// What the guard hands each handler.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub access: Access,
    /// The CSRF token forms carry (empty for scripts without a session).
    pub csrf: String,
    /// Whether a person signs in here (users are configured).
    pub sign_in: bool,
    /// Whether this browser's session has signed in (it may sign out).
    pub signed_in: bool,
}

impl Ctx {
    /// The same request as seen through unit `code`'s private link: the
    /// visitor is that unit, whoever else the browser is.
    pub fn through_link(&self, code: &str) -> Ctx {
        Ctx {
            access: Access::Unit {
                actor: format!("liên kết của đơn vị {code}"),
                code: code.to_string(),
            },
            csrf: self.csrf.clone(),
            sign_in: self.sign_in,
            signed_in: false,
        }
    }
}

#[derive(Debug)]
struct Session {
    user: Option<(String, Role)>,
    csrf: String,
    seen: Instant,
}

/// The sessions of this run (a restart signs everyone out).
#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// The session's user and CSRF token, marking it used.
    fn get(&self, id: &str) -> Option<(Option<(String, Role)>, String)> {
        let mut map = self.map.lock().ok()?;
        let session = map.get_mut(id)?;
        if session.seen.elapsed() > IDLE {
            map.remove(id);
            return None;
        }
        session.seen = Instant::now();
        Some((session.user.clone(), session.csrf.clone()))
    }

    /// A new session; returns its id and CSRF token.
    pub fn create(&self, user: Option<(String, Role)>) -> (String, String) {
        let id = random_token();
        let csrf = random_token();
        if let Ok(mut map) = self.map.lock() {
            map.retain(|_, s| s.seen.elapsed() <= IDLE);
            if map.len() >= MAX_SESSIONS
                && let Some(oldest) = map
                    .iter()
                    .min_by_key(|(_, s)| s.seen)
                    .map(|(id, _)| id.clone())
            {
                map.remove(&oldest);
            }
            map.insert(
                id.clone(),
                Session {
                    user,
                    csrf: csrf.clone(),
                    seen: Instant::now(),
                },
            );
        }
        (id, csrf)
    }

    pub fn remove(&self, id: &str) {
        if let Ok(mut map) = self.map.lock() {
            map.remove(id);
        }
    }
}

/// 32 random bytes as hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // The operating system's generator does not fail on Linux once booted;
    // if it did, a token of zeros would be guessable, so stop instead.
    getrandom::fill(&mut bytes).expect("the system's random number generator failed");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An argon2id hash of a password, as `tdkt user add` keeps it.
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow!("{e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow!("{e}"))?;
    Ok(argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow!("{e}"))?
        .to_string())
}

fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|hash| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// The role of a user whose password matches (argon2 is slow on purpose:
/// call from a blocking thread).
pub fn sign_in(app: &App, name: &str, password: &str) -> Option<Role> {
    let users = app.register().ok()?.web_users().ok()?;
    let user = users.into_iter().find(|u| u.name == name)?;
    password_matches(&user.password_hash, password).then_some(user.role)
}

/// The session cookie for `id`; `Secure` where the browser keeps such a
/// cookie (over HTTPS, or on this machine).
pub fn session_cookie(id: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The session id the browser sent, if any.
pub fn cookie_session(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine;
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (name, password) = text.split_once(':')?;
    Some((name.to_string(), password.to_string()))
}

/// A unit's upload token from `Authorization: Bearer …`.
pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(|t| t.trim().to_string())
}

/// A request a browser sends on another site's behalf.
fn cross_site(headers: &HeaderMap) -> bool {
    let fetch_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if matches!(fetch_site, "cross-site" | "same-site") {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split_once("://").map_or("", |(_, rest)| rest);
    origin_host != host
}

/// A loopback name in the Host header: without users, nothing else is
/// served, so a page elsewhere cannot reach this server by rebinding DNS.
fn loopback_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    };
    matches!(name, "localhost" | "127.0.0.1" | "[::1]") || name.starts_with("127.")
}

fn csrf_sent(request: &Request) -> Option<String> {
    if let Some(value) = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return Some(value.to_string());
    }
    let query = request.uri().query()?;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "csrf")
        .map(|(_, value)| value.to_string())
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message.to_string(),
    )
        .into_response()
}

/// The guard every request passes: works out its [`Ctx`] and refuses
/// cross-site writes, writes without the session's CSRF token, and
/// (without users) any host but this machine.
pub async fn guard(State(app): State<Arc<App>>, mut request: Request, next: Next) -> Response {
    let headers = request.headers().clone();
    let writes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !app.sign_in && !loopback_host(&headers) {
        return refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "Máy chủ tdkt chưa có người dùng chỉ phục vụ trên máy này (localhost).",
        );
    }
    if writes && cross_site(&headers) {
        return refuse(
            StatusCode::FORBIDDEN,
            "Yêu cầu gửi từ một trang web khác bị từ chối.",
        );
    }
    let secure = app.local_only
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let mut new_cookie = None;
    let ctx = if let Some((name, password)) = basic_credentials(&headers) {
        let checking = app.clone();
        let role = tokio::task::spawn_blocking(move || {
            sign_in(&checking, &name, &password).map(|role| (name, role))
        })
        .await
        .ok()
        .flatten();
        let Some((name, role)) = role else {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Basic realm=\"tdkt\"")],
                "Sai tên đăng nhập hoặc mật khẩu.",
            )
                .into_response();
        };
        Ctx {
            access: Access::of(name, role),
            csrf: String::new(),
            sign_in: app.sign_in,
            signed_in: false,
        }
    } else if let Some((user, csrf)) = cookie_session(&headers).and_then(|id| app.sessions.get(&id))
    {
        if writes && csrf_sent(&request).as_deref() != Some(csrf.as_str()) {
            return refuse(
                StatusCode::FORBIDDEN,
                "Phiên làm việc đã hết hạn hoặc biểu mẫu đã cũ: hãy tải lại trang rồi làm lại.",
            );
        }
        Ctx {
            signed_in: user.is_some(),
            access: app.access_of(user),
            csrf,
            sign_in: app.sign_in,
        }
    } else {
        // A first visit (a session begins) or a script without one.
        let (id, csrf) = app.sessions.create(None);
        new_cookie = Some(session_cookie(&id, secure));
        Ctx {
            access: app.access_of(None),
            csrf,
            sign_in: app.sign_in,
            signed_in: false,
        }
    };
    request.extensions_mut().insert(ctx);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Some(cookie) = new_cookie
        && !headers.contains_key(header::SET_COOKIE)
    {
        headers.insert(header::SET_COOKIE, cookie);
    }
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        (
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

impl App {
    /// A session's user (or none) as what it may do.
    fn access_of(&self, user: Option<(String, Role)>) -> Access {
        match user {
            Some((name, role)) => Access::of(name, role),
            None if !self.sign_in => Access::Clerk("máy này".to_string()),
            None => Access::Anonymous,
        }
    }

    /// Whether the link's token is live, and for which unit.
    pub fn unit_of_token(&self, token: &str) -> Option<String> {
        if token.len() != 64 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let hash = crate::text::sha256_hex(token.as_bytes());
        self.register().ok()?.unit_of_link(&hash).ok()?
    }
}
