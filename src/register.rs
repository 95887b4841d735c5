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

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result};
use chrono::{Datelike, NaiveDate};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::aggregate::{Correction, Grant, GrantList};
use crate::diagnostic::Diagnostic;
use crate::model::{Birth, Sex};
use crate::regulation::Subject;

/// The register's file name in a campaign folder.
pub const FILE_NAME: &str = "so-khen-thuong.sqlite";

/// Schema versions, applied in order; `PRAGMA user_version` is the count
/// applied.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE campaign (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    year INTEGER NOT NULL,
    UNIQUE (name, year)
);
CREATE TABLE decision (
    id INTEGER PRIMARY KEY,
    campaign INTEGER NOT NULL REFERENCES campaign(id),
    list_id TEXT NOT NULL,
    honour TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'signed')),
    document_code TEXT NOT NULL,
    number INTEGER,
    number_year INTEGER,
    date TEXT,
    signer TEXT,
    list_hash TEXT NOT NULL,
    list_json TEXT NOT NULL,
    UNIQUE (campaign, list_id),
    CHECK ((status = 'draft') = (number IS NULL))
);
CREATE UNIQUE INDEX decision_number ON decision (document_code, number_year, number)
    WHERE number IS NOT NULL;
CREATE TABLE person (
    id INTEGER PRIMARY KEY,
    full_name TEXT NOT NULL,
    birth TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    merged_into INTEGER REFERENCES person(id),
    UNIQUE (full_name, birth, unit_code)
);
CREATE TABLE grant_record (
    id INTEGER PRIMARY KEY,
    decision INTEGER NOT NULL REFERENCES decision(id),
    ordinal INTEGER NOT NULL,
    register_number TEXT NOT NULL UNIQUE,
    person INTEGER REFERENCES person(id),
    subject TEXT NOT NULL,
    name TEXT NOT NULL,
    birth TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    unit_name TEXT NOT NULL,
    honour TEXT NOT NULL,
    year INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    UNIQUE (decision, ordinal)
);
"#,
    r#"
ALTER TABLE decision ADD COLUMN corrects INTEGER REFERENCES decision(id);
ALTER TABLE decision ADD COLUMN removed_json TEXT NOT NULL DEFAULT '[]';
"#,
];

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

/// A decision's sign-off: its number and date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOff {
    pub number: u32,
    pub date: NaiveDate,
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

/// A list as the register keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredList {
    collectives: Vec<StoredGrant>,
    individuals: Vec<StoredGrant>,
}

/// The parts of a grant a signed decision fixes for ever.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct StoredGrant {
    name: String,
    sex: Option<Sex>,
    birth: Option<String>,
    position: Option<String>,
    job_title: Option<String>,
    sub_unit: Option<String>,
    unit_code: String,
    unit_name: String,
    achievement: Option<String>,
    bonus: Option<u64>,
    ordinal: u32,
    file: String,
    row: u32,
    register_number: Option<String>,
    verification: Option<String>,
}

impl StoredGrant {
    fn from_grant(grant: &Grant) -> Self {
        StoredGrant {
            name: grant.name.clone(),
            sex: grant.sex,
            birth: grant.birth.map(|b| b.display_vi()),
            position: grant.position.clone(),
            job_title: grant.job_title.clone(),
            sub_unit: grant.sub_unit.clone(),
            unit_code: grant.unit_code.clone(),
            unit_name: grant.unit_name.clone(),
            achievement: grant.achievement.clone(),
            bonus: grant.bonus,
            ordinal: grant.ordinal,
            file: grant.file.clone(),
            row: grant.row,
            register_number: grant.register_number.clone(),
            verification: grant.verification.clone(),
        }
    }

    /// Back into a grant for rendering; the record it came from may no
    /// longer be in the inbox, so it points nowhere.
    fn into_grant(self, subject: Subject) -> Grant {
        Grant {
            name: self.name,
            subject,
            sex: self.sex,
            birth: self.birth.as_deref().and_then(Birth::parse_vi),
            position: self.position,
            job_title: self.job_title,
            sub_unit: self.sub_unit,
            unit_code: self.unit_code,
            unit_name: self.unit_name,
            achievement: self.achievement,
            bonus: self.bonus,
            ordinal: self.ordinal,
            file: self.file,
            row: self.row,
            record: crate::validate::RecordRef {
                submission: usize::MAX,
                subject,
                index: usize::MAX,
            },
            register_number: self.register_number,
            verification: self.verification,
        }
    }

    /// Who and what: a change here after sign-off is a conflict.
    fn identity(&self) -> String {
        format!(
            "{}|{}|{}",
            self.name,
            self.birth.as_deref().unwrap_or(""),
            self.unit_code
        )
    }
}

impl StoredList {
    fn of(list: &GrantList) -> Self {
        StoredList {
            collectives: list
                .collectives
                .iter()
                .map(StoredGrant::from_grant)
                .collect(),
            individuals: list
                .individuals
                .iter()
                .map(StoredGrant::from_grant)
                .collect(),
        }
    }

    fn identities(&self) -> BTreeSet<String> {
        self.collectives
            .iter()
            .map(|g| format!("TT|{}", g.identity()))
            .chain(
                self.individuals
                    .iter()
                    .map(|g| format!("CN|{}", g.identity())),
            )
            .collect()
    }

    fn hash(&self) -> String {
        let joined: Vec<String> = self.identities().into_iter().collect();
        short_hash(&joined.join("\n"), 16)
    }

    fn count(&self) -> usize {
        self.collectives.len() + self.individuals.len()
    }
}

fn short_hash(text: &str, hex_digits: usize) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        .chars()
        .take(hex_digits)
        .collect()
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

/// A decision's row, as `sign` reads it.
struct DecisionRow {
    id: i64,
    status: String,
    code: String,
    number: Option<u32>,
    date: Option<String>,
}

impl Register {
    /// Opens (or creates) the register and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Register> {
        let mut conn = Connection::open(path)
            .with_context(|| format!("Không mở được sổ khen thưởng {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
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

    /// Brings the register in line with the campaign's lists: drafts follow
    /// the workbooks; signed lists replace the computed ones (with their
    /// sign-off and register numbers). Where the workbooks now differ from
    /// a signed list, that is a conflict, and a draft correction decision
    /// (`<id>-sd<n>`) grants those added and revokes those removed; its
    /// list, and those of signed corrections, are added to `lists`.
    pub fn reconcile(
        &mut self,
        campaign: &CampaignKey,
        lists: &mut Vec<GrantList>,
        document_code: &str,
        regulation: &crate::regulation::Regulation,
    ) -> Result<Vec<Diagnostic>> {
        let tx = self.conn.transaction()?;
        let campaign_id = campaign_id(&tx, campaign)?;
        add_vanished_signed_lists(&tx, campaign_id, lists, regulation)?;
        let mut diagnostics = Vec::new();
        let mut corrections = Vec::new();
        for list in lists.iter_mut() {
            let current = StoredList::of(list);
            let stored = tx
                .query_row(
                    "SELECT id, status, list_json, number, date FROM decision \
                     WHERE campaign = ?1 AND list_id = ?2",
                    params![campaign_id, list.id],
                    |r| {
                        Ok(StoredDecision {
                            id: r.get(0)?,
                            signed: r.get::<_, String>(1)? == "signed",
                            json: r.get(2)?,
                            number: r.get(3)?,
                            date: r.get(4)?,
                        })
                    },
                )
                .optional()?;
            match stored {
                Some(StoredDecision {
                    id,
                    signed: true,
                    json,
                    number: Some(number),
                    date: Some(date),
                }) => {
                    let signed: StoredList = serde_json::from_str(&json)?;
                    let original = Correction {
                        document_number: document_number(number, document_code),
                        date: parse_date(&date)?,
                        removed: Vec::new(),
                    };
                    let outcome = correct(
                        &tx,
                        campaign_id,
                        id,
                        list,
                        &signed,
                        &current,
                        &original,
                        document_code,
                    )?;
                    diagnostics.extend(outcome.conflict);
                    corrections.extend(outcome.lists);
                    replace_with_signed(
                        list,
                        signed,
                        SignOff {
                            number,
                            date: original.date,
                        },
                    );
                }
                Some(_) => {
                    tx.execute(
                        "UPDATE decision SET list_json = ?1, list_hash = ?2, honour = ?3 \
                         WHERE campaign = ?4 AND list_id = ?5",
                        params![
                            serde_json::to_string(&current)?,
                            current.hash(),
                            list.code,
                            campaign_id,
                            list.id
                        ],
                    )?;
                }
                None => {
                    tx.execute(
                        "INSERT INTO decision (campaign, list_id, honour, status, document_code, list_hash, list_json) \
                         VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6)",
                        params![
                            campaign_id,
                            list.id,
                            list.code,
                            document_code,
                            current.hash(),
                            serde_json::to_string(&current)?
                        ],
                    )?;
                }
            }
        }
        lists.extend(corrections);
        tx.commit()?;
        Ok(diagnostics)
    }

    /// The campaign's decisions, in list order.
    pub fn decisions(&self, campaign: &CampaignKey) -> Result<Vec<DecisionRecord>> {
        let mut statement = self.conn.prepare(
            "SELECT d.list_id, d.honour, d.status, d.number, d.date, d.list_json, d.document_code \
             FROM decision d JOIN campaign c ON c.id = d.campaign \
             WHERE c.name = ?1 AND c.year = ?2 ORDER BY d.id",
        )?;
        let rows = statement.query_map(params![campaign.name, campaign.year], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<u32>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, honour, status, number, date, json, code) = row?;
            let list: StoredList = serde_json::from_str(&json)?;
            out.push(DecisionRecord {
                id,
                grants: honour,
                status: if status == "signed" {
                    "signed"
                } else {
                    "draft"
                },
                number,
                date: date.as_deref().map(parse_date).transpose()?,
                count: list.count(),
                document_number: number.map(|n| document_number(n, &code)),
            });
        }
        Ok(out)
    }

    /// Signs a draft: the number given, or the next free one of the year
    /// for its document code; the list as computed for `date`, with a
    /// register number per grant. One transaction.
    pub fn sign(
        &mut self,
        campaign: &CampaignKey,
        list: &GrantList,
        number: Option<u32>,
        date: NaiveDate,
        signer: &str,
        numbering: Numbering,
    ) -> Result<SignOutcome> {
        let tx = self.conn.transaction()?;
        let campaign_id = campaign_id(&tx, campaign)?;
        let found = tx
            .query_row(
                "SELECT id, status, document_code, number, date FROM decision \
                 WHERE campaign = ?1 AND list_id = ?2",
                params![campaign_id, list.id],
                |r| {
                    Ok(DecisionRow {
                        id: r.get(0)?,
                        status: r.get(1)?,
                        code: r.get(2)?,
                        number: r.get(3)?,
                        date: r.get(4)?,
                    })
                },
            )
            .optional()?;
        let Some(DecisionRow {
            id: decision_id,
            status,
            code,
            number: signed_number,
            date: signed_date,
        }) = found
        else {
            return Ok(SignOutcome::Refused(format!(
                "Chưa có dự thảo quyết định '{}' trong sổ",
                list.id
            )));
        };
        if status == "signed" {
            return Ok(SignOutcome::Refused(format!(
                "Quyết định '{}' đã ký: số {}, ngày {}; quyết định đã ký không sửa được, \
                 cần ban hành quyết định sửa đổi",
                list.id,
                document_number(signed_number.unwrap_or(0), &code),
                signed_date
                    .as_deref()
                    .and_then(|d| parse_date(d).ok())
                    .map(|d| d.format("%d/%m/%Y").to_string())
                    .unwrap_or_default()
            )));
        }
        let revokes = list
            .correction
            .as_ref()
            .is_some_and(|c| !c.removed.is_empty());
        if list.count() == 0 && !revokes {
            return Ok(SignOutcome::Refused(format!(
                "Quyết định '{}' không còn ai đủ điều kiện",
                list.id
            )));
        }
        let year = date.year();
        let number = match number {
            Some(n) => {
                let taken: Option<String> = tx
                    .query_row(
                        "SELECT list_id FROM decision WHERE document_code = ?1 AND number_year = ?2 AND number = ?3",
                        params![code, year, n],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(other) = taken {
                    return Ok(SignOutcome::Refused(format!(
                        "Số {} năm {year} đã dùng cho quyết định '{other}'",
                        document_number(n, &code)
                    )));
                }
                n
            }
            None => tx.query_row(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM decision WHERE document_code = ?1 AND number_year = ?2",
                params![code, year],
                |r| r.get(0),
            )?,
        };
        let document = document_number(number, &code);
        let first_running: u32 = match numbering {
            Numbering::Decision => 0,
            Numbering::Yearly => tx.query_row(
                "SELECT COUNT(*) FROM grant_record g JOIN decision d ON d.id = g.decision \
                 WHERE d.number_year = ?1",
                params![year],
                |r| r.get(0),
            )?,
        };
        let mut signed = list.clone();
        for grant in signed
            .collectives
            .iter_mut()
            .chain(signed.individuals.iter_mut())
        {
            let register_number = match numbering {
                Numbering::Decision => format!("{year}-{number:02}-{:03}", grant.ordinal),
                Numbering::Yearly => format!("{year}-{:04}", first_running + grant.ordinal),
            };
            let birth = grant.birth.map(|b| b.display_vi()).unwrap_or_default();
            let hash = content_hash(
                &register_number,
                &grant.name,
                &birth,
                &list.code,
                &document,
                date,
            );
            insert_grant(
                &tx,
                decision_id,
                grant,
                &register_number,
                &birth,
                &list.code,
                campaign.year,
                &hash,
            )?;
            grant.verification = Some(hash);
            grant.register_number = Some(register_number);
        }
        let stored = StoredList::of(&signed);
        tx.execute(
            "UPDATE decision SET status = 'signed', number = ?1, number_year = ?2, date = ?3, \
             signer = ?4, list_json = ?5, list_hash = ?6 WHERE id = ?7",
            params![
                number,
                year,
                date.to_string(),
                signer,
                serde_json::to_string(&stored)?,
                stored.hash(),
                decision_id
            ],
        )?;
        tx.commit()?;
        Ok(SignOutcome::Signed {
            number,
            document_number: document,
        })
    }

    /// What earlier campaigns granted a person, as (honour code, evaluation
    /// year), oldest first: by name and date of birth, and through every
    /// identity a clerk merged with theirs.
    pub fn granted_before(&self, name: &str, birth: &str, year: i32) -> Result<Vec<(String, i32)>> {
        let mut statement = self.conn.prepare_cached(
            "WITH RECURSIVE \
               own(id) AS (SELECT id FROM person WHERE full_name = ?1 AND birth = ?2), \
               root(id) AS (SELECT id FROM own \
                  UNION SELECT p.merged_into FROM person p JOIN root r ON p.id = r.id \
                  WHERE p.merged_into IS NOT NULL), \
               family(id) AS (SELECT id FROM root \
                  UNION SELECT p.id FROM person p JOIN family f ON p.merged_into = f.id) \
             SELECT DISTINCT g.honour, g.year FROM grant_record g \
             WHERE g.year < ?3 AND (g.person IN (SELECT id FROM family) \
                OR (g.subject = 'individual' AND g.name = ?1 AND g.birth = ?2)) \
               AND NOT EXISTS (SELECT 1 FROM decision c WHERE c.corrects = g.decision \
                  AND c.status = 'signed' \
                  AND instr(c.removed_json, '\"CN|' || g.name || '|' || g.birth || '|' || g.unit_code || '\"') > 0) \
             ORDER BY g.year, g.honour",
        )?;
        let rows =
            statement.query_map(params![name, birth, year], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The people the register knows whose name contains `find` (any case
    /// and accents), with how many grants each has.
    pub fn people(&self, find: &str) -> Result<Vec<PersonRecord>> {
        let mut statement = self.conn.prepare(
            "SELECT p.id, p.full_name, p.birth, p.unit_code, p.merged_into, \
             (SELECT COUNT(*) FROM grant_record g WHERE g.person = p.id) \
             FROM person p ORDER BY p.full_name, p.birth, p.id",
        )?;
        let wanted = crate::text::fold(find);
        let rows = statement.query_map([], |r| {
            Ok(PersonRecord {
                id: r.get(0)?,
                full_name: r.get(1)?,
                birth: r.get(2)?,
                unit_code: r.get(3)?,
                merged_into: r.get(4)?,
                grants: r.get(5)?,
            })
        })?;
        let mut out = Vec::new();
        for row in rows {
            let person = row?;
            if crate::text::fold(&person.full_name).contains(&wanted) {
                out.push(person);
            }
        }
        Ok(out)
    }

    /// Records that `other` is the same person as `keep`: their histories
    /// are read as one from then on. Refuses a merge that would make a loop.
    pub fn merge_people(
        &mut self,
        keep: i64,
        other: i64,
    ) -> Result<std::result::Result<(), String>> {
        let tx = self.conn.transaction()?;
        let exists = |id: i64| -> rusqlite::Result<bool> {
            tx.query_row(
                "SELECT COUNT(*) FROM person WHERE id = ?1",
                params![id],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n == 1)
        };
        for id in [keep, other] {
            if !exists(id)? {
                return Ok(Err(format!(
                    "Không có người mã {id} trong sổ (xem tdkt people)"
                )));
            }
        }
        // Where `keep` itself leads: merging into one's own descendant loops.
        let mut cursor = Some(keep);
        while let Some(id) = cursor {
            if id == other {
                return Ok(Err(format!("Mã {other} và {keep} đã là một người")));
            }
            cursor = tx.query_row(
                "SELECT merged_into FROM person WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )?;
        }
        tx.execute(
            "UPDATE person SET merged_into = ?1 WHERE id = ?2",
            params![keep, other],
        )?;
        tx.commit()?;
        Ok(Ok(()))
    }

    /// Every signed grant, by signing year, decision number and place: the
    /// register book.
    pub fn book(&self) -> Result<Vec<BookEntry>> {
        let mut statement = self.conn.prepare(
            "SELECT g.register_number, g.name, g.birth, g.unit_name, g.honour, g.year, \
             d.number, d.document_code, d.date, d.number_year \
             FROM grant_record g JOIN decision d ON d.id = g.decision \
             ORDER BY d.number_year, d.document_code, d.number, g.ordinal",
        )?;
        let rows = statement.query_map([], |r| {
            Ok((
                BookEntry {
                    register_number: r.get(0)?,
                    name: r.get(1)?,
                    birth: r.get(2)?,
                    unit_name: r.get(3)?,
                    honour: r.get(4)?,
                    year: r.get(5)?,
                    document_number: document_number(r.get(6)?, &r.get::<_, String>(7)?),
                    date: NaiveDate::MIN,
                    signed_year: r.get(9)?,
                },
                r.get::<_, String>(8)?,
            ))
        })?;
        rows.map(|row| {
            let (mut entry, date) = row?;
            entry.date = parse_date(&date)?;
            Ok(entry)
        })
        .collect()
    }

    /// Adds earlier grants read from a file (`tdkt import`) in one
    /// transaction; a grant whose register number is already there is
    /// skipped. Returns (added, skipped).
    pub fn import(
        &mut self,
        source: &str,
        grants: &[crate::import::ImportedGrant],
    ) -> Result<(usize, usize)> {
        let tx = self.conn.transaction()?;
        let (mut added, mut skipped) = (0, 0);
        for grant in grants {
            let campaign = campaign_id(
                &tx,
                &CampaignKey {
                    name: format!("nhập từ {source}"),
                    year: grant.year,
                },
            )?;
            let decision = imported_decision(&tx, campaign, grant)?;
            let ordinal: u32 = tx.query_row(
                "SELECT COALESCE(MAX(ordinal), 0) + 1 FROM grant_record WHERE decision = ?1",
                params![decision],
                |r| r.get(0),
            )?;
            let document = document_number(grant.number, &grant.document_code);
            let register_number = grant.register_number.clone().unwrap_or_else(|| {
                format!(
                    "NHAP-{}-{:02}-{ordinal:03}",
                    grant.date.year(),
                    grant.number
                )
            });
            let hash = content_hash(
                &register_number,
                &grant.name,
                &grant.birth,
                &grant.honour,
                &document,
                grant.date,
            );
            let subject = if grant.birth.is_empty() {
                "collective"
            } else {
                "individual"
            };
            let person = if grant.birth.is_empty() {
                None
            } else {
                Some(person_id(&tx, &grant.name, &grant.birth, &grant.unit_name)?)
            };
            let inserted = tx.execute(
                "INSERT OR IGNORE INTO grant_record (decision, ordinal, register_number, person, subject, name, \
                 birth, unit_code, unit_name, honour, year, content_hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '', ?8, ?9, ?10, ?11)",
                params![
                    decision,
                    ordinal,
                    register_number,
                    person,
                    subject,
                    grant.name,
                    grant.birth,
                    grant.unit_name,
                    grant.honour,
                    grant.year,
                    hash
                ],
            )?;
            if inserted == 1 {
                added += 1;
            } else {
                skipped += 1;
            }
        }
        tx.commit()?;
        Ok((added, skipped))
    }

    /// A signed grant by its register number.
    pub fn grant(&self, register_number: &str) -> Result<Option<GrantRecord>> {
        let found = self
            .conn
            .query_row(
                "SELECT g.register_number, g.name, g.birth, g.unit_name, g.honour, d.number, \
                 d.document_code, d.date, g.content_hash, g.subject, g.unit_code, d.id \
                 FROM grant_record g JOIN decision d ON d.id = g.decision WHERE g.register_number = ?1",
                params![register_number],
                |r| {
                    let record = GrantRecord {
                        register_number: r.get(0)?,
                        name: r.get(1)?,
                        birth: r.get(2)?,
                        unit_name: r.get(3)?,
                        honour: r.get(4)?,
                        document_number: document_number(r.get(5)?, &r.get::<_, String>(6)?),
                        date: NaiveDate::MIN,
                        content_hash: r.get(8)?,
                        revoked_by: None,
                    };
                    let kind = if r.get::<_, String>(9)? == "collective" { "TT" } else { "CN" };
                    let identity = format!("{kind}|{}|{}|{}", record.name, record.birth, r.get::<_, String>(10)?);
                    Ok((record, r.get::<_, String>(7)?, identity, r.get::<_, i64>(11)?))
                },
            )
            .optional()?;
        let Some((mut record, date, identity, decision)) = found else {
            return Ok(None);
        };
        record.date = parse_date(&date)?;
        record.revoked_by = self.revoking_decision(decision, &identity)?;
        Ok(Some(record))
    }

    /// The signed correction of `decision` that revokes `identity`, if any.
    fn revoking_decision(&self, decision: i64, identity: &str) -> Result<Option<String>> {
        let mut statement = self.conn.prepare(
            "SELECT number, document_code, removed_json FROM decision \
             WHERE corrects = ?1 AND status = 'signed' ORDER BY id",
        )?;
        let rows = statement.query_map(params![decision], |r| {
            Ok((
                r.get::<_, u32>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (number, code, removed) = row?;
            let removed: Vec<String> = serde_json::from_str(&removed)?;
            if removed.iter().any(|r| r == identity) {
                return Ok(Some(document_number(number, &code)));
            }
        }
        Ok(None)
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

/// The decision an imported grant belongs to: the one with its number
/// (whoever recorded it), else a new signed decision of the import.
fn imported_decision(
    tx: &Transaction<'_>,
    campaign: i64,
    grant: &crate::import::ImportedGrant,
) -> Result<i64> {
    let year = grant.date.year();
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM decision WHERE document_code = ?1 AND number_year = ?2 AND number = ?3",
            params![grant.document_code, year, grant.number],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let empty = StoredList {
        collectives: Vec::new(),
        individuals: Vec::new(),
    };
    tx.execute(
        "INSERT INTO decision (campaign, list_id, honour, status, document_code, number, number_year, \
         date, signer, list_hash, list_json) VALUES (?1, ?2, ?3, 'signed', ?4, ?5, ?6, ?7, '', ?8, ?9)",
        params![
            campaign,
            format!("nhap-{}-{:02}", year, grant.number),
            grant.honour,
            grant.document_code,
            grant.number,
            year,
            grant.date.to_string(),
            empty.hash(),
            serde_json::to_string(&empty)?
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The person with this name, birth and unit, made if new.
fn person_id(tx: &Transaction<'_>, name: &str, birth: &str, unit: &str) -> Result<i64> {
    tx.execute(
        "INSERT OR IGNORE INTO person (full_name, birth, unit_code) VALUES (?1, ?2, ?3)",
        params![name, birth, unit],
    )?;
    Ok(tx.query_row(
        "SELECT id FROM person WHERE full_name = ?1 AND birth = ?2 AND unit_code = ?3",
        params![name, birth, unit],
        |r| r.get(0),
    )?)
}

#[allow(clippy::too_many_arguments)]
fn insert_grant(
    tx: &Transaction<'_>,
    decision: i64,
    grant: &Grant,
    register_number: &str,
    birth: &str,
    honour: &str,
    year: i32,
    hash: &str,
) -> Result<()> {
    let person = match grant.subject {
        Subject::Individual => Some(person_id(tx, &grant.name, birth, &grant.unit_code)?),
        Subject::Collective => None,
    };
    let subject = match grant.subject {
        Subject::Individual => "individual",
        Subject::Collective => "collective",
    };
    tx.execute(
        "INSERT INTO grant_record (decision, ordinal, register_number, person, subject, name, birth, \
         unit_code, unit_name, honour, year, content_hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            decision,
            grant.ordinal,
            register_number,
            person,
            subject,
            grant.name,
            birth,
            grant.unit_code,
            grant.unit_name,
            honour,
            year,
            hash
        ],
    )?;
    Ok(())
}

/// "05/QĐ-HVCTQG" from 5 and "QĐ-HVCTQG" (a Party code "QĐ/TU" keeps its
/// own separator: "05-QĐ/TU").
pub fn document_number(number: u32, code: &str) -> String {
    if code.contains('/') {
        format!("{number:02}-{code}")
    } else {
        format!("{number:02}/{code}")
    }
}

fn parse_date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .with_context(|| format!("Ngày '{text}' trong sổ khen thưởng không hợp lệ"))
}

/// A decision's row, as `reconcile` reads it.
struct StoredDecision {
    id: i64,
    signed: bool,
    json: String,
    number: Option<u32>,
    date: Option<String>,
}

/// A correction decision's row.
struct CorrectionRow {
    id: String,
    signed: bool,
    json: String,
    removed_json: String,
    number: Option<u32>,
    date: Option<String>,
}

/// What a signed list's reconciliation found.
struct Corrected {
    conflict: Option<Diagnostic>,
    /// The correction decisions to render: signed ones, and the draft.
    lists: Vec<GrantList>,
}

/// Compares the workbooks' list with the signed one as already corrected;
/// keeps (or drops) the draft correction accordingly.
#[allow(clippy::too_many_arguments)]
fn correct(
    tx: &Transaction<'_>,
    campaign: i64,
    original_id: i64,
    list: &GrantList,
    signed: &StoredList,
    current: &StoredList,
    original: &Correction,
    document_code: &str,
) -> Result<Corrected> {
    let mut effective = signed.identities();
    let mut lists = Vec::new();
    let mut signed_corrections = 0;
    let mut statement = tx.prepare(
        "SELECT list_id, status, list_json, removed_json, number, date FROM decision \
         WHERE corrects = ?1 ORDER BY id",
    )?;
    let rows: Vec<CorrectionRow> = statement
        .query_map(params![original_id], |r| {
            Ok(CorrectionRow {
                id: r.get(0)?,
                signed: r.get::<_, String>(1)? == "signed",
                json: r.get(2)?,
                removed_json: r.get(3)?,
                number: r.get(4)?,
                date: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    for row in rows.into_iter().filter(|r| r.signed) {
        let CorrectionRow {
            id,
            json,
            removed_json,
            number,
            date,
            ..
        } = row;
        signed_corrections += 1;
        let added: StoredList = serde_json::from_str(&json)?;
        let removed: Vec<String> = serde_json::from_str(&removed_json)?;
        effective.extend(added.identities());
        for identity in &removed {
            effective.remove(identity);
        }
        let mut correction_list = list.clone();
        correction_list.id = id;
        correction_list.correction = Some(Correction {
            removed: removed.iter().map(|i| identity_name(i)).collect(),
            ..original.clone()
        });
        let (Some(number), Some(date)) = (number, date) else {
            continue;
        };
        replace_with_signed(
            &mut correction_list,
            added,
            SignOff {
                number,
                date: parse_date(&date)?,
            },
        );
        lists.push(correction_list);
    }
    let draft_id = format!("{}-sd{}", list.id, signed_corrections + 1);
    let now = current.identities();
    if now == effective {
        tx.execute(
            "DELETE FROM decision WHERE corrects = ?1 AND status = 'draft'",
            params![original_id],
        )?;
        return Ok(Corrected {
            conflict: None,
            lists,
        });
    }
    // Those the workbooks add, numbered from 1 in the correction's own list.
    let mut additions = StoredList {
        collectives: current
            .collectives
            .iter()
            .filter(|g| !effective.contains(&format!("TT|{}", g.identity())))
            .cloned()
            .collect(),
        individuals: current
            .individuals
            .iter()
            .filter(|g| !effective.contains(&format!("CN|{}", g.identity())))
            .cloned()
            .collect(),
    };
    for (n, grant) in additions
        .collectives
        .iter_mut()
        .chain(additions.individuals.iter_mut())
        .enumerate()
    {
        grant.ordinal = n as u32 + 1;
    }
    let removed: Vec<String> = effective.difference(&now).cloned().collect();
    tx.execute(
        "DELETE FROM decision WHERE corrects = ?1 AND status = 'draft' AND list_id <> ?2",
        params![original_id, draft_id],
    )?;
    tx.execute(
        "INSERT INTO decision (campaign, list_id, honour, status, document_code, list_hash, list_json, \
         corrects, removed_json) VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7, ?8) \
         ON CONFLICT (campaign, list_id) DO UPDATE SET list_json = excluded.list_json, \
         list_hash = excluded.list_hash, removed_json = excluded.removed_json",
        params![
            campaign,
            draft_id,
            list.code,
            document_code,
            additions.hash(),
            serde_json::to_string(&additions)?,
            original_id,
            serde_json::to_string(&removed)?
        ],
    )?;
    let added_names: Vec<String> = additions
        .collectives
        .iter()
        .chain(&additions.individuals)
        .map(|g| g.name.clone())
        .collect();
    let removed_names: Vec<String> = removed.iter().map(|i| identity_name(i)).collect();
    let conflict = Diagnostic::error(
        "register.conflict",
        "",
        format!(
            "Quyết định số {} ({}) đã ký, nhưng hồ sơ hiện nay cho danh sách khác (thêm: {}; bớt: {}). \
             Danh sách đã ký được giữ nguyên; đã lập dự thảo quyết định sửa đổi, bổ sung '{draft_id}' \
             (tdkt sign {draft_id} để ban hành)",
            original.document_number,
            list.code,
            if added_names.is_empty() {
                "không".into()
            } else {
                added_names.join(", ")
            },
            if removed_names.is_empty() {
                "không".into()
            } else {
                removed_names.join(", ")
            },
        ),
    );
    let mut draft = list.clone();
    draft.id = draft_id;
    draft.collectives = additions
        .collectives
        .into_iter()
        .map(|g| g.into_grant(Subject::Collective))
        .collect();
    draft.individuals = additions
        .individuals
        .into_iter()
        .map(|g| g.into_grant(Subject::Individual))
        .collect();
    draft.total_bonus = draft.grants().filter_map(|g| g.bonus).sum();
    draft.sign_off = None;
    draft.correction = Some(Correction {
        removed: removed_names,
        ..original.clone()
    });
    lists.push(draft);
    Ok(Corrected {
        conflict: Some(conflict),
        lists,
    })
}

/// "CN|Nguyễn Văn A|05/03/1979|VTH" → "Nguyễn Văn A".
fn identity_name(identity: &str) -> String {
    identity.split('|').nth(1).unwrap_or("").to_string()
}

/// Signed decisions whose honour the workbooks no longer grant anyone:
/// still theirs to render (and to correct), from an empty current list.
fn add_vanished_signed_lists(
    tx: &Transaction<'_>,
    campaign: i64,
    lists: &mut Vec<GrantList>,
    regulation: &crate::regulation::Regulation,
) -> Result<()> {
    let mut statement = tx.prepare(
        "SELECT list_id, honour FROM decision \
         WHERE campaign = ?1 AND status = 'signed' AND corrects IS NULL ORDER BY id",
    )?;
    let signed: Vec<(String, String)> = statement
        .query_map(params![campaign], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, code) in signed {
        if lists.iter().any(|l| l.id == id) {
            continue;
        }
        if let Some(honour) = regulation.honour(&code) {
            let mut list = GrantList::empty(honour);
            list.id = id;
            lists.push(list);
        }
    }
    Ok(())
}

fn replace_with_signed(list: &mut GrantList, signed: StoredList, sign_off: SignOff) {
    list.collectives = signed
        .collectives
        .into_iter()
        .map(|g| g.into_grant(Subject::Collective))
        .collect();
    list.individuals = signed
        .individuals
        .into_iter()
        .map(|g| g.into_grant(Subject::Individual))
        .collect();
    list.total_bonus = list.grants().filter_map(|g| g.bonus).sum();
    list.sign_off = Some(sign_off);
}
