//! Signing a draft decision: its number, date and register numbers, in
//! one transaction.

use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use rusqlite::{OptionalExtension, Transaction, params};

use super::people::person_id;
use super::stored::StoredList;
use super::{
    CampaignKey, DecisionRow, Numbering, Register, SignOutcome, campaign_id, content_hash,
    find_decision, parse_date,
};
use crate::aggregate::{Grant, GrantList};
use crate::issued::DocumentNumber;
use crate::regulation::Subject;

impl Register {
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
        let found = find_decision(&tx, campaign_id, &list.id)?;
        let Some(DecisionRow {
            id: decision_id,
            signed,
            code,
            number: signed_number,
            date: signed_date,
            ..
        }) = found
        else {
            return Ok(SignOutcome::Refused(format!(
                "Chưa có dự thảo quyết định '{}' trong sổ",
                list.id
            )));
        };
        if signed {
            return Ok(SignOutcome::Refused(format!(
                "Quyết định '{}' đã ký: số {}, ngày {}; quyết định đã ký không sửa được, \
                 cần ban hành quyết định sửa đổi",
                list.id,
                DocumentNumber::new(signed_number.unwrap_or(0), &code),
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
                        DocumentNumber::new(n, &code)
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
        let document = DocumentNumber::new(number, &code).to_string();
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
            // Each grant's own honour: a combined decision grants several.
            let honour = grant.honour.clone();
            let hash = content_hash(
                &register_number,
                &grant.name,
                &birth,
                &honour,
                &document,
                date,
            );
            insert_grant(
                &tx,
                decision_id,
                grant,
                &register_number,
                &birth,
                &honour,
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
