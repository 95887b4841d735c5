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
            unit_code: grant.unit_code.to_string(),
            unit_name: grant.unit_name.to_string(),
            achievement: grant.achievement.clone(),
            bonus: grant.bonus,
            ordinal: grant.ordinal,
            file: grant.file.to_string(),
            row: grant.row,
            register_number: grant.register_number.clone(),
            honour: grant.honour.to_string(),
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
            unit_code: self.unit_code.into(),
            unit_name: self.unit_name.into(),
            achievement: self.achievement,
            bonus: self.bonus,
            ordinal: self.ordinal,
            file: self.file.into(),
            row: self.row,
            record: crate::validate::RecordRef {
                submission: usize::MAX,
                subject,
                index: usize::MAX,
            },
            register_number: self.register_number,
            honour: self.honour.into(),
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

/// A list's JSON as the register keeps it (`StoredList`'s), written from
/// the list itself rather than from a copy of it.
pub(super) struct StoredJson<'a>(pub(super) &'a GrantList);

impl Serialize for StoredJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("StoredList", 2)?;
        out.serialize_field("collectives", &StoredGrants(&self.0.collectives))?;
        out.serialize_field("individuals", &StoredGrants(&self.0.individuals))?;
        out.end()
    }
}

struct StoredGrants<'a>(&'a [Grant]);

impl Serialize for StoredGrants<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(StoredGrantOf))
    }
}

/// A grant as `StoredGrant` writes it, borrowed.
struct StoredGrantOf<'a>(&'a Grant);

impl Serialize for StoredGrantOf<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let g = self.0;
        let mut out = s.serialize_struct("StoredGrant", 16)?;
        out.serialize_field("name", &g.name)?;
        out.serialize_field("sex", &g.sex)?;
        out.serialize_field("birth", &g.birth.map(|b| b.display_vi()))?;
        out.serialize_field("position", &g.position)?;
        out.serialize_field("job_title", &g.job_title)?;
        out.serialize_field("sub_unit", &g.sub_unit)?;
        out.serialize_field("unit_code", &g.unit_code)?;
        out.serialize_field("unit_name", &g.unit_name)?;
        out.serialize_field("achievement", &g.achievement)?;
        out.serialize_field("bonus", &g.bonus)?;
        out.serialize_field("ordinal", &g.ordinal)?;
        out.serialize_field("file", &g.file)?;
        out.serialize_field("row", &g.row)?;
        out.serialize_field("register_number", &g.register_number)?;
        out.serialize_field("verification", &g.verification)?;
        out.serialize_field("honour", &g.honour)?;
        out.end()
    }
}

/// The SHA-256 of `list`'s stored text (`StoredJson`), in lower-case hex,
/// hashed as it is written rather than held.
pub(super) fn json_sha256(list: &GrantList) -> serde_json::Result<String> {
    use sha2::Digest;
    struct Hashing(sha2::Sha256);
    impl std::io::Write for Hashing {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.update(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut hashing = Hashing(sha2::Sha256::new());
    serde_json::to_writer(&mut hashing, &StoredJson(list))?;
    Ok(crate::text::hex(&hashing.0.finalize()))
}

/// `list`'s stored text (`StoredJson`) in a string of exactly its length:
/// the list of a ministry's Lao động tiên tiến is some 23 MB of text, which
/// a string growing as it is written would for a moment hold twice over.
pub(super) fn stored_text(list: &GrantList) -> serde_json::Result<String> {
    struct Counting(usize);
    impl std::io::Write for Counting {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counting = Counting(0);
    serde_json::to_writer(&mut counting, &StoredJson(list))?;
    let mut text = Vec::with_capacity(counting.0);
    serde_json::to_writer(&mut text, &StoredJson(list))?;
    String::from_utf8(text).map_err(serde::ser::Error::custom)
}

/// `StoredList::of(list).hash()`, without the copy.
pub(super) fn list_hash(list: &GrantList) -> String {
    let identity = |grant: &Grant| {
        let birth = grant.birth.map(|b| b.display_vi()).unwrap_or_default();
        GrantIdentity::new(grant.subject, &grant.name, &birth, &grant.unit_code)
    };
    let identities: BTreeSet<GrantIdentity> = list
        .collectives
        .iter()
        .chain(&list.individuals)
        .map(identity)
        .collect();
    hash_of(&identities)
}

fn hash_of(identities: &BTreeSet<GrantIdentity>) -> String {
    let joined: Vec<&str> = identities.iter().map(GrantIdentity::as_str).collect();
    short_hash(&joined.join("\n"), 16)
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
        hash_of(&self.identities())
    }

    pub(super) fn count(&self) -> usize {
        self.collectives.len() + self.individuals.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regulation::{DEFAULT_TOML, Regulation};

    fn stored(name: &str, birth: Option<&str>, text: Option<&str>, ordinal: u32) -> StoredGrant {
        StoredGrant {
            name: name.to_string(),
            sex: Some(Sex::Female),
            birth: birth.map(str::to_string),
            position: text.map(|t| format!("Trưởng phòng \"{t}\"")),
            job_title: None,
            sub_unit: text.map(str::to_string),
            unit_code: "VTH".to_string(),
            unit_name: "Viện Triết học".to_string(),
            achievement: text.map(|t| format!("{t}\n\\ dòng hai")),
            bonus: Some(1_170_000),
            ordinal,
            file: "vien-triet-hoc.xlsx".to_string(),
            row: 7 + ordinal,
            register_number: Some(format!("2026-01-{ordinal:03}")),
            verification: None,
            honour: "BK-BỘ".to_string(),
        }
    }

    #[test]
    fn a_list_is_stored_as_its_copy_would_be_without_the_copy() {
        let regulation = Regulation::parse(DEFAULT_TOML, "quy-dinh.toml").unwrap();
        let mut list = GrantList::empty(&regulation.honours[0]);
        list.individuals = vec![
            stored(
                "Nguyễn Thị Lan",
                Some("05/03/1979"),
                Some("Phòng Kế hoạch-Tài chính"),
                1,
            ),
            stored("Lê Văn Bình", Some("1980"), None, 2),
            stored("Trần An", None, Some(""), 3),
        ]
        .into_iter()
        .map(|g| g.into_grant(Subject::Individual))
        .collect();
        list.collectives = vec![stored("Phòng Đào tạo", None, Some("Tập thể"), 4)]
            .into_iter()
            .map(|g| g.into_grant(Subject::Collective))
            .collect();
        let copy = StoredList::of(&list);
        assert_eq!(
            serde_json::to_string(&StoredJson(&list)).unwrap(),
            serde_json::to_string(&copy).unwrap()
        );
        assert_eq!(list_hash(&list), copy.hash());
        let text = serde_json::to_string(&copy).unwrap();
        let stored = stored_text(&list).unwrap();
        assert_eq!(stored, text);
        assert_eq!(stored.capacity(), stored.len(), "no room to spare");
        assert_eq!(
            json_sha256(&list).unwrap(),
            crate::text::sha256_hex(text.as_bytes())
        );
        list.individuals[1].birth = None;
        assert_ne!(list_hash(&list), copy.hash(), "who is on it changed");
    }
}
