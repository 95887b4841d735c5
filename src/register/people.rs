//! People across years: who the register knows, and identities a clerk
//! confirms are one person.

use anyhow::Result;
use rusqlite::{OptionalExtension, Transaction, params};

use super::{PersonRecord, Register};

impl Register {
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

    /// Undoes a merge: `id` is its own person again.
    pub fn split_person(&mut self, id: i64) -> Result<std::result::Result<i64, String>> {
        let merged_into: Option<Option<i64>> = self
            .conn
            .query_row(
                "SELECT merged_into FROM person WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )
            .optional()?;
        match merged_into {
            None => Ok(Err(format!(
                "Không có người mã {id} trong sổ (xem tdkt people)"
            ))),
            Some(None) => Ok(Err(format!("Mã {id} chưa được gộp với ai"))),
            Some(Some(into)) => {
                self.conn.execute(
                    "UPDATE person SET merged_into = NULL WHERE id = ?1",
                    params![id],
                )?;
                Ok(Ok(into))
            }
        }
    }
}

/// The person with this name, birth and unit, made if new.
pub(super) fn person_id(tx: &Transaction<'_>, name: &str, birth: &str, unit: &str) -> Result<i64> {
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
