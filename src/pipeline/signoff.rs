//! The register's commands: `decisions`, `sign`, `verify`, `import`,
//! `people`, `merge-people` and `split-person`.

use anyhow::{Result, bail};
use chrono::NaiveDate;

use super::{campaign_key, check, lists_for, reconcile};
use crate::aggregate::Aggregate;
use crate::diagnostic::Diagnostic;
use crate::register::{DecisionRecord, GrantRecord, Register, SignOutcome};
use crate::settings::Settings;
use crate::verify::Verification;

/// `tdkt decisions`: the campaign's decisions as the register has them,
/// after reconciling with the workbooks (in a copy: the file is not
/// written, nor created).
pub fn decisions(settings: &Settings) -> Result<Vec<DecisionRecord>> {
    let checked = check(settings)?;
    let settings = &*settings.for_year(checked.reading.year);
    let mut aggregate = lists_for(settings, &checked, settings.documents.decision_date);
    let mut register = Register::snapshot(&settings.register.path)?;
    reconcile(&mut register, settings, &checked, &mut aggregate)?;
    register.decisions(&campaign_key(settings, &checked))
}

/// The campaign's lists as `build` renders them: reconciled with the
/// register (in a copy: the file is not written, nor created).
pub fn reconciled_lists(settings: &Settings) -> Result<Aggregate> {
    let checked = check(settings)?;
    let settings = &*settings.for_year(checked.reading.year);
    let mut aggregate = lists_for(settings, &checked, settings.documents.decision_date);
    let mut register = Register::snapshot(&settings.register.path)?;
    reconcile(&mut register, settings, &checked, &mut aggregate)?;
    Ok(aggregate)
}

/// `tdkt sign`: signs decision `id` ("bk-bo" or "qd-bk-bo") with the
/// number given or the next free one, dated `date` or the campaign's
/// decision date.
pub fn sign(
    settings: &Settings,
    id: &str,
    number: Option<u32>,
    date: Option<NaiveDate>,
) -> Result<SignOutcome> {
    let checked = check(settings)?;
    let settings = &*settings.for_year(checked.reading.year);
    let date = date.unwrap_or(settings.documents.decision_date);
    // Bonuses follow the base salary in force on the signing date.
    let mut aggregate = lists_for(settings, &checked, date);
    let mut register = Register::open(&settings.register.path)?;
    reconcile(&mut register, settings, &checked, &mut aggregate)?;
    // "bk-bo", its file name "qd-bk-bo", or the code "BK-BỘ".
    let id = crate::text::slug(id);
    let id = id.strip_prefix("qd-").unwrap_or(&id);
    let Some(list) = aggregate.decisions.iter().find(|d| d.id == id) else {
        let known: Vec<&str> = aggregate.decisions.iter().map(|d| d.id.as_str()).collect();
        let upward = aggregate.submissions.iter().any(|d| d.id == id);
        return Ok(SignOutcome::Refused(if upward {
            format!(
                "'{id}' do cấp trên quyết định: cơ quan chỉ trình (Tờ trình), không ký quyết định"
            )
        } else {
            format!(
                "Không có quyết định '{id}' trong đợt xét; các quyết định: {}",
                known.join(", ")
            )
        }));
    };
    // A signed decision is refused by the register, with its number.
    let signer = &settings.documents.signer;
    let signer = format!("{} {} {}", signer.prefix, signer.title, signer.name);
    register.sign(
        &campaign_key(settings, &checked),
        list,
        number,
        date,
        signer.trim(),
        settings.register.numbering,
    )
}

/// `tdkt import`: earlier grants from an Excel file into the register.
/// Returns (added, skipped as already there, rows that could not be read).
pub fn import(
    settings: &Settings,
    file: &std::path::Path,
) -> Result<(usize, usize, Vec<Diagnostic>)> {
    let (grants, diagnostics) =
        crate::import::read_grants(file, &settings.regulation, &settings.reader)?;
    let mut register = Register::open(&settings.register.path)?;
    let source = file
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let (added, skipped) = register.import(&source, &grants)?;
    Ok((added, skipped, diagnostics))
}

/// The register, which must already exist.
fn existing_register(settings: &Settings) -> Result<Register> {
    if !settings.register.path.is_file() {
        bail!(
            "Không có sổ khen thưởng {}: chưa có quyết định nào được ký hay nhập",
            settings.register.path.display()
        );
    }
    Register::open(&settings.register.path)
}

/// `tdkt people`: the people the register knows, by a part of the name.
pub fn people(settings: &Settings, find: &str) -> Result<Vec<crate::register::PersonRecord>> {
    existing_register(settings)?.people(find)
}

/// `tdkt merge-people`: `other` is the same person as `keep`.
pub fn merge_people(settings: &Settings, keep: i64, other: i64) -> Result<Result<(), String>> {
    existing_register(settings)?.merge_people(keep, other)
}

/// `tdkt split-person`: undoes a merge; returns whom it was merged into.
pub fn split_person(settings: &Settings, id: i64) -> Result<Result<i64, String>> {
    existing_register(settings)?.split_person(id)
}

/// `tdkt verify`: a register number, or a certificate PDF, against the
/// register.
pub fn verify(settings: &Settings, target: &str) -> Result<Verification> {
    let path = std::path::Path::new(target);
    if !settings.register.path.is_file() && !path.is_file() {
        // No register yet: no number can be genuine.
        return Ok(Verification::NotGenuine(vec![format!(
            "Số sổ vàng '{target}' không có: đợt xét chưa có sổ khen thưởng ({})",
            settings.register.path.display()
        )]));
    }
    if !(path.is_file() && target.to_lowercase().ends_with(".pdf")) {
        return verify_number(settings, target);
    }
    let register = Register::snapshot(&settings.register.path)?;
    crate::verify::certificate(&register, path)
}

/// A register number (số sổ vàng) against the register; never a file.
pub fn verify_number(settings: &Settings, target: &str) -> Result<Verification> {
    if !settings.register.path.is_file() {
        return Ok(Verification::NotGenuine(vec![format!(
            "Số sổ vàng '{target}' không có: đợt xét chưa có sổ khen thưởng"
        )]));
    }
    let register = Register::snapshot(&settings.register.path)?;
    Ok(match register.grant(target.trim())? {
        Some(GrantRecord {
            revoked_by: Some(by),
            ..
        }) => Verification::NotGenuine(vec![format!(
            "Số sổ vàng '{target}' đã bị thu hồi theo Quyết định số {by}"
        )]),
        Some(record) => Verification::Genuine(record),
        None => Verification::NotGenuine(vec![format!(
            "Số sổ vàng '{target}' không có trong sổ khen thưởng"
        )]),
    })
}

/// A certificate PDF (an upload kept in a temporary file) against the
/// register.
pub fn verify_file(settings: &Settings, path: &std::path::Path) -> Result<Verification> {
    let register = Register::snapshot(&settings.register.path)?;
    crate::verify::certificate(&register, path)
}
