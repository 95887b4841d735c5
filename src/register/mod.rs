//! The register (sổ khen thưởng): decisions, their numbers and the exact
//! lists they grant, kept in an SQLite file beside the campaign.
//!
//! A decision is a draft until `tdkt sign` gives it a number and a date;
//! from then on its list never changes. Each build reconciles the campaign's
//! current lists with the register: drafts follow the workbooks, signed
//! decisions are rendered from the register, and a workbook that would
//! change a signed list is reported as a conflict, never applied.
//!
//! Every change is one transaction; numbers are unique per document code
//! and year by an index, so a crash can leave no number assigned to nothing.

mod history;
mod lookup;
mod people;
mod reconcile;
mod schema;
mod sign;
mod stored;
mod web;

use std::path::Path;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

pub use crate::issued::SignOff;
use schema::MIGRATIONS;
pub use web::{AuditEntry, Role, UnitLink, WebUser};

/// The register's file name in a campaign folder.
pub const FILE_NAME: &str = crate::issued::REGISTER_FILE_NAME;

/// How certificates count their register number (số sổ vàng).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Numbering {
    /// "2026-05-012": the decision's number and the place in its list.
    #[default]
    Decision,
    /// "2026-0123": one running number a year across decisions.
    Yearly,
}

/// Which campaign a build belongs to.
#[derive(Debug, Clone)]
pub struct CampaignKey {
    pub name: String,
    pub year: i32,
}

/// A decision as `tdkt decisions` lists it (contracts.md).
#[derive(Debug, Clone, Serialize)]
pub struct DecisionRecord {
    pub id: String,
    pub grants: String,
    pub status: &'static str,
    pub number: Option<u32>,
    pub date: Option<NaiveDate>,
    pub count: usize,
    /// "05/QĐ-HVCTQG" once signed.
    #[serde(skip)]
    pub document_number: Option<String>,
}

/// What `tdkt sign` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignOutcome {
    Signed {
        number: u32,
        document_number: String,
    },
    Refused(String),
}

/// A signed grant found by its register number.
#[derive(Debug, Clone)]
pub struct GrantRecord {
    pub register_number: String,
    pub name: String,
    pub birth: String,
    pub unit_name: String,
    pub honour: String,
    pub document_number: String,
    pub date: NaiveDate,
    pub content_hash: String,
    /// The signed correction that revoked it: "02/QĐ-HVCTQG".
    pub revoked_by: Option<String>,
    /// The SHA-256 (hex) of the certificate file first built for it.
    pub file_sha256: Option<String>,
}

/// A person the register knows.
#[derive(Debug, Clone, Serialize)]
pub struct PersonRecord {
    pub id: i64,
    pub full_name: String,
    pub birth: String,
    pub unit_code: String,
    /// The identity this one was merged into, if a clerk merged it.
    pub merged_into: Option<i64>,
    pub grants: i64,
}

/// One line of the register book.
#[derive(Debug, Clone, Serialize)]
pub struct BookEntry {
    pub register_number: String,
    pub name: String,
    pub birth: String,
    pub unit_name: String,
    pub honour: String,
    /// The evaluation year of the campaign.
    pub year: i32,
    pub document_number: String,
    pub date: NaiveDate,
    /// The year the decision was signed: the book it belongs to.
    pub signed_year: i32,
}

fn short_hash(text: &str, hex_digits: usize) -> String {
    let mut hex = crate::text::sha256_hex(text.as_bytes());
    hex.truncate(hex_digits);
    hex
}

/// The hash a certificate carries: of what it says, so an edited name or
/// number no longer matches.
pub fn content_hash(
    register_number: &str,
    name: &str,
    birth: &str,
    honour: &str,
    document_number: &str,
    date: NaiveDate,
) -> String {
    short_hash(
        &format!("{register_number}\n{name}\n{birth}\n{honour}\n{document_number}\n{date}"),
        10,
    )
}

pub struct Register {
    conn: Connection,
}

impl Register {
    /// Opens (or creates) the register and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Register> {
        let conn = Connection::open(path)
            .with_context(|| format!("Không mở được sổ khen thưởng {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        Self::prepare(conn, path)
    }

    /// The register as it is now, copied into memory: for the commands
    /// that only read (`check`, `decisions`, `verify`). What they work out
    /// (drafts reconciled with the workbooks) never reaches the file, and
    /// a register that does not exist is not created.
    pub fn snapshot(path: &Path) -> Result<Register> {
        let mut conn = Connection::open_in_memory()?;
        if path.is_file() {
            let source = Connection::open_with_flags(
                path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .with_context(|| format!("Không mở được sổ khen thưởng {}", path.display()))?;
            source.busy_timeout(std::time::Duration::from_secs(30))?;
            rusqlite::backup::Backup::new(&source, &mut conn)?
                .run_to_completion(256, std::time::Duration::ZERO, None)
                .with_context(|| format!("Không đọc được sổ khen thưởng {}", path.display()))?;
        }
        Self::prepare(conn, path)
    }

    /// Foreign keys on, the schema brought up to date.
    fn prepare(mut conn: Connection, path: &Path) -> Result<Register> {
        conn.pragma_update(None, "foreign_keys", true)?;
        // tdkt_sha256(text): compares a stored list with one in memory
        // without copying the stored text out of SQLite.
        conn.create_scalar_function(
            "tdkt_sha256",
            1,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            |context| {
                let text = context.get_raw(0).as_bytes_or_null()?.unwrap_or_default();
                Ok(crate::text::sha256_hex(text))
            },
        )?;
        let applied: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let applied = usize::try_from(applied).unwrap_or(usize::MAX);
        if applied > MIGRATIONS.len() {
            anyhow::bail!(
                "Sổ khen thưởng {} do phiên bản tdkt mới hơn tạo (lược đồ {applied}): hãy dùng tdkt mới hơn",
                path.display()
            );
        }
        for (version, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", version as i64 + 1)?;
            tx.commit()?;
        }
        Ok(Register { conn })
    }
}

impl Drop for Register {
    /// Folds the write-ahead log into the file, so copying the one file is
    /// a whole backup.
    fn drop(&mut self) {
        let _ = self.conn.pragma_update(None, "wal_checkpoint", "TRUNCATE");
    }
}

fn campaign_id(tx: &Transaction<'_>, campaign: &CampaignKey) -> Result<i64> {
    tx.execute(
        "INSERT OR IGNORE INTO campaign (name, year) VALUES (?1, ?2)",
        params![campaign.name, campaign.year],
    )?;
    Ok(tx.query_row(
        "SELECT id FROM campaign WHERE name = ?1 AND year = ?2",
        params![campaign.name, campaign.year],
        |r| r.get(0),
    )?)
}

fn parse_date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .with_context(|| format!("Ngày '{text}' trong sổ khen thưởng không hợp lệ"))
}

/// A campaign's decision as its row says.
struct DecisionRow {
    id: i64,
    signed: bool,
    code: String,
    /// The list as signed; a draft's is not read (at 80,000 proposals a
    /// list's text is tens of megabytes).
    json: Option<String>,
    number: Option<u32>,
    date: Option<String>,
}

/// The row of decision `list_id` of a campaign, if the register has it.
fn find_decision(
    tx: &Transaction<'_>,
    campaign: i64,
    list_id: &str,
) -> Result<Option<DecisionRow>> {
    Ok(tx
        .query_row(
            "SELECT id, status, document_code, \
             CASE status WHEN 'signed' THEN list_json END, number, date FROM decision \
             WHERE campaign = ?1 AND list_id = ?2",
            params![campaign, list_id],
            |r| {
                Ok(DecisionRow {
                    id: r.get(0)?,
                    signed: r.get::<_, String>(1)? == "signed",
                    code: r.get(2)?,
                    json: r.get(3)?,
                    number: r.get(4)?,
                    date: r.get(5)?,
                })
            },
        )
        .optional()?)
}
