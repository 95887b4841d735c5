//! What earlier campaigns granted: read for the consecutive-year rules,
//! and imported from an earlier year's list.

use anyhow::Result;
use chrono::Datelike;
use rusqlite::{OptionalExtension, Transaction, params};

use super::people::person_id;
use super::stored::StoredList;
use super::{CampaignKey, Register, campaign_id, content_hash};
use crate::issued::DocumentNumber;

impl Register {
    /// What earlier campaigns granted a person, as (honour code, evaluation
    /// year), oldest first: by name and date of birth, and through every
    /// identity a clerk merged with theirs. A grant a signed correction
    /// revoked is left out: its `GrantIdentity` text (stored.rs), rebuilt
    /// here in SQL, is in the correction's `removed_json`.
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
            let document = DocumentNumber::new(grant.number, &grant.document_code).to_string();
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

    /// The submissions with what a workbook leaves out of a person's history
    /// filled from what the register holds from earlier campaigns: titles of
    /// earlier years, and awards received. What the workbook says is kept.
    /// `None` when the register adds nothing to anyone: then no copy of the
    /// submissions is made (at 80,000 proposals it weighs some 80 MiB).
    pub fn with_histories(
        &self,
        regulation: &crate::regulation::Regulation,
        year: i32,
        submissions: &[crate::model::Submission],
    ) -> Result<Option<Vec<crate::model::Submission>>> {
        use crate::regulation::HonourKind;
        // (submission, person, honour, year granted) the workbook lacks.
        let mut additions: Vec<(usize, usize, String, i32, HonourKind)> = Vec::new();
        for (s, submission) in submissions.iter().enumerate() {
            for (p, person) in submission.individuals.iter().enumerate() {
                let birth = person.birth.map(|b| b.display_vi()).unwrap_or_default();
                for (code, granted) in self.granted_before(&person.full_name, &birth, year)? {
                    let Some(kind) = regulation.honour(&code).map(|h| h.kind) else {
                        continue;
                    };
                    if !has_in_history(person, &code, granted, kind) {
                        additions.push((s, p, code, granted, kind));
                    }
                }
            }
        }
        if additions.is_empty() {
            return Ok(None);
        }
        let mut completed = submissions.to_vec();
        for (s, p, code, granted, kind) in additions {
            let person = &mut completed[s].individuals[p];
            // Two records of one honour and year add it once.
            if has_in_history(person, &code, granted, kind) {
                continue;
            }
            match kind {
                HonourKind::Title => {
                    person.title_history.insert(granted, code);
                }
                HonourKind::Award => person.prior_awards.push(crate::model::PriorAward {
                    award: code,
                    year: Some(granted),
                }),
            }
        }
        Ok(Some(completed))
    }
}

/// Whether `person`'s history already says `code` was granted in `year`: a
/// title that year (any title: the workbook's own wins), or that award.
fn has_in_history(
    person: &crate::model::Individual,
    code: &str,
    year: i32,
    kind: crate::regulation::HonourKind,
) -> bool {
    match kind {
        crate::regulation::HonourKind::Title => person.title_history.contains_key(&year),
        crate::regulation::HonourKind::Award => person
            .prior_awards
            .iter()
            .any(|a| a.award == code && a.year.is_none_or(|y| y == year)),
    }
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
