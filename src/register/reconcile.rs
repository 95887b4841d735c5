//! Bringing the register in line with the campaign's lists, and the
//! correction decisions a signed list's changes call for.

use std::collections::BTreeSet;

use anyhow::Result;
use rusqlite::{OptionalExtension, Transaction, params};

use super::stored::{GrantIdentity, StoredGrant, StoredList, json_sha256, list_hash, stored_text};
use super::{CampaignKey, DecisionRow, Register, SignOff, campaign_id, find_decision, parse_date};
use crate::aggregate::{Correction, GrantList};
use crate::diagnostic::Diagnostic;
use crate::issued::DocumentNumber;
use crate::regulation::Subject;

impl Register {
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
            let stored = find_decision(&tx, campaign_id, &list.id)?;
            match stored {
                Some(DecisionRow {
                    id,
                    signed: true,
                    json: Some(json),
                    number: Some(number),
                    date: Some(date),
                    code: signed_code,
                }) => {
                    let signed: StoredList = serde_json::from_str(&json)?;
                    drop(json);
                    let current = StoredList::of(list);
                    let original = Correction {
                        document_number: DocumentNumber::new(number, &signed_code).to_string(),
                        date: parse_date(&date)?,
                        removed: Vec::new(),
                    };
                    let amending = Amending {
                        tx: &tx,
                        campaign: campaign_id,
                        original_id: id,
                        list,
                        original: &original,
                        document_code,
                    };
                    let outcome = correct(&amending, &signed, &current)?;
                    diagnostics.extend(outcome.conflict);
                    corrections.extend(outcome.lists);
                    replace_with_signed(
                        list,
                        signed,
                        SignOff {
                            number,
                            date: original.date,
                            code: signed_code,
                        },
                    );
                }
                Some(_) if draft_unchanged(&tx, campaign_id, list)? => {}
                Some(_) => {
                    tx.execute(
                        "UPDATE decision SET list_json = ?1, list_hash = ?2, honour = ?3 \
                         WHERE campaign = ?4 AND list_id = ?5",
                        params![
                            stored_text(list)?,
                            list_hash(list),
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
                            list_hash(list),
                            stored_text(list)?
                        ],
                    )?;
                }
            }
        }
        lists.extend(corrections);
        tx.commit()?;
        Ok(diagnostics)
    }
}

/// Whether the register's draft of `list` is `list` as it is now (same
/// honour, same text, compared by SHA-256 inside SQLite): a rebuild of an
/// unchanged campaign then writes nothing, and holds no copy of a list's
/// text (tens of megabytes at 80,000 proposals) in memory.
fn draft_unchanged(tx: &Transaction<'_>, campaign: i64, list: &GrantList) -> Result<bool> {
    let unchanged: Option<bool> = tx
        .query_row(
            "SELECT tdkt_sha256(list_json) = ?1 AND honour = ?2 FROM decision \
             WHERE campaign = ?3 AND list_id = ?4 AND status = 'draft'",
            params![json_sha256(list)?, list.code, campaign, list.id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(unchanged == Some(true))
}

/// A signed correction decision's row.
struct CorrectionRow {
    id: String,
    json: String,
    removed_json: String,
    number: u32,
    date: String,
    code: String,
}

/// What a signed list's reconciliation found.
struct Corrected {
    conflict: Option<Diagnostic>,
    /// The correction decisions to render: signed ones, and the draft.
    lists: Vec<GrantList>,
}

/// One signed decision being compared with the workbooks.
struct Amending<'a> {
    tx: &'a Transaction<'a>,
    campaign: i64,
    /// The signed decision's row id.
    original_id: i64,
    list: &'a GrantList,
    /// Its number and date, for the corrections that amend it.
    original: &'a Correction,
    document_code: &'a str,
}

/// Compares the workbooks' list with the signed one as already corrected;
/// keeps (or drops) the draft correction accordingly.
fn correct(
    amending: &Amending<'_>,
    signed: &StoredList,
    current: &StoredList,
) -> Result<Corrected> {
    let mut effective = signed.identities();
    let lists = amending.signed_corrections(&mut effective)?;
    let draft_id = format!("{}-sd{}", amending.list.id, lists.len() + 1);
    let now = current.identities();
    if now == effective {
        amending.tx.execute(
            "DELETE FROM decision WHERE corrects = ?1 AND status = 'draft'",
            params![amending.original_id],
        )?;
        return Ok(Corrected {
            conflict: None,
            lists,
        });
    }
    let additions = additions(current, &effective);
    let removed: Vec<GrantIdentity> = effective.difference(&now).cloned().collect();
    amending.save_draft(&draft_id, &additions, &removed)?;
    let removed_names: Vec<String> = removed.iter().map(|i| i.name().to_string()).collect();
    let conflict = amending.conflict(&draft_id, &additions, &removed_names);
    let mut lists = lists;
    lists.push(amending.draft(draft_id, additions, removed_names));
    Ok(Corrected {
        conflict: Some(conflict),
        lists,
    })
}

impl Amending<'_> {
    /// The signed corrections of the decision, as lists to render; folds
    /// what they grant and revoke into `effective`.
    fn signed_corrections(
        &self,
        effective: &mut BTreeSet<GrantIdentity>,
    ) -> Result<Vec<GrantList>> {
        let mut statement = self.tx.prepare(
            "SELECT list_id, list_json, removed_json, number, date, document_code FROM decision \
             WHERE corrects = ?1 AND status = 'signed' ORDER BY id",
        )?;
        let rows: Vec<CorrectionRow> = statement
            .query_map(params![self.original_id], |r| {
                Ok(CorrectionRow {
                    id: r.get(0)?,
                    json: r.get(1)?,
                    removed_json: r.get(2)?,
                    number: r.get(3)?,
                    date: r.get(4)?,
                    code: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut lists = Vec::new();
        for row in rows {
            let added: StoredList = serde_json::from_str(&row.json)?;
            let removed: Vec<GrantIdentity> = serde_json::from_str(&row.removed_json)?;
            effective.extend(added.identities());
            for identity in &removed {
                effective.remove(identity);
            }
            let mut correction = self.list.clone();
            correction.id = row.id;
            correction.correction = Some(Correction {
                removed: removed.iter().map(|i| i.name().to_string()).collect(),
                ..self.original.clone()
            });
            let sign_off = SignOff {
                number: row.number,
                date: parse_date(&row.date)?,
                code: row.code.clone(),
            };
            replace_with_signed(&mut correction, added, sign_off);
            lists.push(correction);
        }
        Ok(lists)
    }

    /// Saves the draft correction: those added, those removed.
    fn save_draft(
        &self,
        draft_id: &str,
        additions: &StoredList,
        removed: &[GrantIdentity],
    ) -> Result<()> {
        self.tx.execute(
            "DELETE FROM decision WHERE corrects = ?1 AND status = 'draft' AND list_id <> ?2",
            params![self.original_id, draft_id],
        )?;
        self.tx.execute(
            "INSERT INTO decision (campaign, list_id, honour, status, document_code, list_hash, list_json, \
             corrects, removed_json) VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT (campaign, list_id) DO UPDATE SET list_json = excluded.list_json, \
             list_hash = excluded.list_hash, removed_json = excluded.removed_json",
            params![
                self.campaign,
                draft_id,
                self.list.code,
                self.document_code,
                additions.hash(),
                serde_json::to_string(additions)?,
                self.original_id,
                serde_json::to_string(removed)?
            ],
        )?;
        Ok(())
    }

    /// The draft correction as a list to render.
    fn draft(&self, id: String, additions: StoredList, removed: Vec<String>) -> GrantList {
        let mut draft = self.list.clone();
        draft.id = id;
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
        draft.number_grants();
        draft.refresh_total();
        draft.sign_off = None;
        draft.correction = Some(Correction {
            removed,
            ..self.original.clone()
        });
        draft
    }

    fn conflict(&self, draft_id: &str, additions: &StoredList, removed: &[String]) -> Diagnostic {
        let added: Vec<&str> = additions
            .collectives
            .iter()
            .chain(&additions.individuals)
            .map(|g| g.name.as_str())
            .collect();
        let listed = |names: Vec<&str>| {
            if names.is_empty() {
                "không".to_string()
            } else {
                names.join(", ")
            }
        };
        Diagnostic::error(
            "register.conflict",
            "",
            format!(
                "Quyết định số {} ({}) đã ký, nhưng hồ sơ hiện nay cho danh sách khác (thêm: {}; bớt: {}). \
                 Danh sách đã ký được giữ nguyên; đã lập dự thảo quyết định sửa đổi, bổ sung '{draft_id}' \
                 (tdkt sign {draft_id} để ban hành)",
                self.original.document_number,
                self.list.code,
                listed(added),
                listed(removed.iter().map(String::as_str).collect()),
            ),
        )
    }
}

/// Those the workbooks add to what is in force.
fn additions(current: &StoredList, effective: &BTreeSet<GrantIdentity>) -> StoredList {
    let new = |grants: &[StoredGrant], subject| -> Vec<StoredGrant> {
        grants
            .iter()
            .filter(|g| !effective.contains(&g.identity(subject)))
            .cloned()
            .collect()
    };
    StoredList {
        collectives: new(&current.collectives, Subject::Collective),
        individuals: new(&current.individuals, Subject::Individual),
    }
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
    // Lists signed before grants recorded their honour are of one honour.
    let code = list.code.clone();
    for grant in list
        .collectives
        .iter_mut()
        .chain(list.individuals.iter_mut())
    {
        if grant.honour.is_empty() {
            grant.honour = code.as_str().into();
        }
    }
    list.refresh_total();
    list.sign_off = Some(sign_off);
}
