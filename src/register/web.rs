//! What the web application keeps in the register: its users, the units'
//! upload links and the audit log of who did what.

use anyhow::Result;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::Register;

/// What a signed-in user may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The secretariat: everything.
    Clerk,
    /// One unit: its own uploads and feedback only.
    Unit(String),
}

impl Role {
    /// "clerk", or a unit code.
    pub fn parse(text: &str) -> Role {
        let text = text.trim();
        if text.eq_ignore_ascii_case("clerk") {
            Role::Clerk
        } else {
            Role::Unit(text.to_string())
        }
    }

    pub fn as_text(&self) -> &str {
        match self {
            Role::Clerk => "clerk",
            Role::Unit(code) => code,
        }
    }
}

/// A user of `tdkt serve`, as `tdkt user` added them.
#[derive(Debug, Clone, Serialize)]
pub struct WebUser {
    pub name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: Role,
    pub created: String,
}

/// A unit's private upload link (the token itself is shown once, when made).
#[derive(Debug, Clone, Serialize)]
pub struct UnitLink {
    pub token_sha256: String,
    pub unit_code: String,
    pub created: String,
    pub revoked: Option<String>,
}

/// One line of the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

/// The local time, to the second, as the audit log and the links keep it.
fn now() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

impl Register {
    /// The users, by name.
    pub fn web_users(&self) -> Result<Vec<WebUser>> {
        let mut statement = self
            .conn
            .prepare("SELECT name, password_hash, role, created FROM web_user ORDER BY name")?;
        let users = statement
            .query_map([], |r| {
                Ok(WebUser {
                    name: r.get(0)?,
                    password_hash: r.get(1)?,
                    role: Role::parse(&r.get::<_, String>(2)?),
                    created: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(users)
    }

    /// Adds a user, or gives an existing one a new password and role.
    pub fn put_web_user(&mut self, name: &str, password_hash: &str, role: &Role) -> Result<()> {
        self.conn.execute(
            "INSERT INTO web_user (name, password_hash, role, created) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (name) DO UPDATE SET password_hash = ?2, role = ?3",
            params![name, password_hash, role.as_text(), now()],
        )?;
        Ok(())
    }

    /// Removes a user; whether there was one.
    pub fn remove_web_user(&mut self, name: &str) -> Result<bool> {
        Ok(self
            .conn
            .execute("DELETE FROM web_user WHERE name = ?1", params![name])?
            > 0)
    }

    /// Keeps a new upload link for a unit (by its token's SHA-256).
    pub fn add_unit_link(&mut self, unit_code: &str, token_sha256: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO unit_link (token_sha256, unit_code, created) VALUES (?1, ?2, ?3)",
            params![token_sha256, unit_code, now()],
        )?;
        Ok(())
    }

    /// Revokes every link of a unit; how many were live.
    pub fn revoke_unit_links(&mut self, unit_code: &str) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE unit_link SET revoked = ?2 WHERE unit_code = ?1 AND revoked IS NULL",
            params![unit_code, now()],
        )?)
    }

    /// The unit a live link's token (by its SHA-256) reaches.
    pub fn unit_of_link(&self, token_sha256: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT unit_code FROM unit_link WHERE token_sha256 = ?1 AND revoked IS NULL",
                params![token_sha256],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Every link, newest first.
    pub fn unit_links(&self) -> Result<Vec<UnitLink>> {
        let mut statement = self.conn.prepare(
            "SELECT token_sha256, unit_code, created, revoked FROM unit_link
             ORDER BY created DESC, unit_code",
        )?;
        let links = statement
            .query_map([], |r| {
                Ok(UnitLink {
                    token_sha256: r.get(0)?,
                    unit_code: r.get(1)?,
                    created: r.get(2)?,
                    revoked: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(links)
    }

    /// Appends a line to the audit log.
    pub fn audit(&mut self, actor: &str, action: &str, detail: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO audit (at, actor, action, detail) VALUES (?1, ?2, ?3, ?4)",
            params![now(), actor, action, detail],
        )?;
        Ok(())
    }

    /// The newest `limit` lines of the audit log, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut statement = self
            .conn
            .prepare("SELECT at, actor, action, detail FROM audit ORDER BY id DESC LIMIT ?1")?;
        let entries = statement
            .query_map(params![i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                Ok(AuditEntry {
                    at: r.get(0)?,
                    actor: r.get(1)?,
                    action: r.get(2)?,
                    detail: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(entries)
    }
}
