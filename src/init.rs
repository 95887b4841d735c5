//! `tdkt init`: a new campaign folder, in the style of zola's `init`.

use std::path::Path;

use anyhow::{Result, bail};

use crate::regulation;
use crate::settings::CAMPAIGN_FILE;
use crate::write::write_atomic;

/// A commented `tdkt.toml` for a new campaign.
pub const CAMPAIGN_TEMPLATE: &str = include_str!("../templates/tdkt.toml");

pub fn init(dir: &Path) -> Result<()> {
    if dir.join(CAMPAIGN_FILE).exists() {
        bail!("{} đã có {CAMPAIGN_FILE}: không ghi đè", dir.display());
    }
    let year = chrono::Datelike::year(&chrono::Local::now().date_naive());
    let campaign = CAMPAIGN_TEMPLATE
        .replace("{year}", &year.to_string())
        .replace("{next_year}", &(year + 1).to_string())
        .replace("{regulation}", regulation::DEFAULT_FILE_NAME);
    write_atomic(&dir.join(CAMPAIGN_FILE), campaign.as_bytes())?;
    for (name, text) in regulation::BUILTIN {
        write_atomic(&dir.join(name), text.as_bytes())?;
    }
    write_atomic(
        &dir.join("units.csv"),
        "code,name,aliases\nVD1,\"Đơn vị mẫu\",\"ĐV mẫu\"\n".as_bytes(),
    )?;
    for (name, text) in crate::render::templates_builtin() {
        write_atomic(&dir.join("templates").join(name), text.as_bytes())?;
    }
    std::fs::create_dir_all(dir.join("inbox"))?;
    Ok(())
}
