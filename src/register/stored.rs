//! A decision's list as the register keeps it: what a signed decision
//! fixes for ever.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::short_hash;
use crate::aggregate::{Grant, GrantList};
use crate::model::{Birth, Sex};
use crate::regulation::Subject;

/// Who a grant is for, as the register compares a signed list with the
/// workbooks and records whom a correction revokes: "CN|Nguyễn Văn A|05/03/1979|VTH"
/// ("TT|…" for a collective). The text is what a correction's `removed_json`
/// keeps (and what the history query in `history.rs` rebuilds in SQL to skip
/// a revoked grant); this type is its one maker and reader in Rust.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub(super) struct GrantIdentity(String);

impl GrantIdentity {
    pub(super) fn new(subject: Subject, name: &str, birth: &str, unit_code: &str) -> Self {
        let kind = match subject {
            Subject::Individual => "CN",
            Subject::Collective => "TT",
        };
        GrantIdentity(format!("{kind}|{name}|{birth}|{unit_code}"))
    }

    /// The person's or collective's name.
    pub(super) fn name(&self) -> &str {
        self.0.split('|').nth(1).unwrap_or("")
    }

    pub(super) fn as_str(&self) -> &str {
        &self.0
    }
}

/// A list as the register keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct StoredList {
    pub(super) collectives: Vec<StoredGrant>,
    pub(super) individuals: Vec<StoredGrant>,
}

/// The parts of a grant a signed decision fixes for ever.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct StoredGrant {
    pub(super) name: String,
    pub(super) sex: Option<Sex>,
    pub(super) birth: Option<String>,
    pub(super) position: Option<String>,
    pub(super) job_title: Option<String>,
    pub(super) sub_unit: Option<String>,
    pub(super) unit_code: String,
    pub(super) unit_name: String,
    pub(super) achievement: Option<String>,
    pub(super) bonus: Option<u64>,
    pub(super) ordinal: u32,
    pub(super) file: String,
    pub(super) row: u32,
    pub(super) register_number: Option<String>,
    pub(super) verification: Option<String>,
    /// The honour, for a decision that grants several (older registers
    /// have none: the decision's own).
    #[serde(default)]
    pub(super) honour: String,
}

impl StoredGrant {
    pub(super) fn from_grant(grant: &Grant) -> Self {
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
            honour: grant.honour.clone(),
            verification: grant.verification.clone(),
        }
    }

    /// Back into a grant for rendering; the record it came from may no
    /// longer be in the inbox, so it points nowhere.
    pub(super) fn into_grant(self, subject: Subject) -> Grant {
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
            honour: self.honour,
            verification: self.verification,
        }
    }

    /// Who and what: a change here after sign-off is a conflict.
    pub(super) fn identity(&self, subject: Subject) -> GrantIdentity {
        GrantIdentity::new(
            subject,
            &self.name,
            self.birth.as_deref().unwrap_or(""),
            &self.unit_code,
        )
    }
}

impl StoredList {
    pub(super) fn of(list: &GrantList) -> Self {
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

    pub(super) fn identities(&self) -> BTreeSet<GrantIdentity> {
        self.collectives
            .iter()
            .map(|g| g.identity(Subject::Collective))
            .chain(
                self.individuals
                    .iter()
                    .map(|g| g.identity(Subject::Individual)),
            )
            .collect()
    }

    pub(super) fn hash(&self) -> String {
        let identities = self.identities();
        let joined: Vec<&str> = identities.iter().map(GrantIdentity::as_str).collect();
        short_hash(&joined.join("\n"), 16)
    }

    pub(super) fn count(&self) -> usize {
        self.collectives.len() + self.individuals.len()
    }
}
