//! Reading the register: the campaign's decisions, a grant by its
//! register number, the yearly book.

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::stored::{GrantIdentity, StoredList};
use super::{BookEntry, CampaignKey, DecisionRecord, GrantRecord, Register, parse_date};
use crate::issued::DocumentNumber;
use crate::regulation::Subject;

impl Register {
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
                document_number: number.map(|n| DocumentNumber::new(n, &code).to_string()),
            });
        }
        Ok(out)
    }

    /// A signed grant by its register number.
    /// Keeps the SHA-256 of each signed certificate's file, the first time
    /// it is built: the file then issued is the one `verify` accepts.
    pub fn record_issued_files(&mut self, files: &[(String, String)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut update = tx.prepare(
                "UPDATE grant_record SET file_sha256 = ?2 \
                 WHERE register_number = ?1 AND file_sha256 IS NULL",
            )?;
            for (number, sha256) in files {
                update.execute(params![number, sha256])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The grant whose certificate file, as issued, has this SHA-256.
    pub fn grant_by_file(&self, sha256: &str) -> Result<Option<GrantRecord>> {
        let number: Option<String> = self
            .conn
            .query_row(
                "SELECT register_number FROM grant_record WHERE file_sha256 = ?1",
                params![sha256],
                |r| r.get(0),
            )
            .optional()?;
        match number {
            Some(number) => self.grant(&number),
            None => Ok(None),
        }
    }

    pub fn grant(&self, register_number: &str) -> Result<Option<GrantRecord>> {
        let found = self
            .conn
            .query_row(
                "SELECT g.register_number, g.name, g.birth, g.unit_name, g.honour, d.number, \
                 d.document_code, d.date, g.content_hash, g.subject, g.unit_code, d.id, g.file_sha256 \
                 FROM grant_record g JOIN decision d ON d.id = g.decision WHERE g.register_number = ?1",
                params![register_number],
                |r| {
                    let record = GrantRecord {
                        register_number: r.get(0)?,
                        name: r.get(1)?,
                        birth: r.get(2)?,
                        unit_name: r.get(3)?,
                        honour: r.get(4)?,
                        document_number: DocumentNumber::new(r.get(5)?, &r.get::<_, String>(6)?).to_string(),
                        date: NaiveDate::MIN,
                        content_hash: r.get(8)?,
                        revoked_by: None,
                        file_sha256: r.get(12)?,
                    };
                    let subject = if r.get::<_, String>(9)? == "collective" {
                        Subject::Collective
                    } else {
                        Subject::Individual
                    };
                    let identity = GrantIdentity::new(
                        subject,
                        &record.name,
                        &record.birth,
                        &r.get::<_, String>(10)?,
                    );
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
    fn revoking_decision(&self, decision: i64, identity: &GrantIdentity) -> Result<Option<String>> {
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
            let removed: Vec<GrantIdentity> = serde_json::from_str(&removed)?;
            if removed.contains(identity) {
                return Ok(Some(DocumentNumber::new(number, &code).to_string()));
            }
        }
        Ok(None)
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
                    document_number: DocumentNumber::new(r.get(6)?, &r.get::<_, String>(7)?)
                        .to_string(),
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
}
