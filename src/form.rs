//! `tdkt form`: the blank submission workbook of form-spec.md, with
//! drop-down lists for ratings, titles, awards and sex.

use anyhow::Result;
use rust_xlsxwriter::{
    DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook,
    Worksheet,
};

use crate::model::Rating;
use crate::regulation::{HonourKind, Regulation, Subject, fields};

/// Rows of the form that carry drop-down lists.
const DATA_ROWS: u32 = 500;

/// A column of the form: a field of the table (`regulation::fields`), by
/// key, or a field bound to a year.
#[derive(Debug, Clone, Copy)]
enum FormColumn {
    RowNumber,
    Field(&'static str),
    /// "Xếp loại năm N-k".
    RatingBack(i32),
    /// "Danh hiệu năm N-k".
    TitleBack(i32),
}

use FormColumn::{Field, RatingBack, RowNumber, TitleBack};

const INDIVIDUAL_COLUMNS: &[FormColumn] = &[
    RowNumber,
    Field("name"),
    Field("birth"),
    Field("sex"),
    Field("position"),
    Field("job_title"),
    Field("sub_unit"),
    RatingBack(0),
    RatingBack(1),
    RatingBack(2),
    TitleBack(1),
    TitleBack(2),
    Field("prior_awards"),
    Field("teaching_hours"),
    Field("research_points"),
    Field("initiative"),
    Field("months_worked"),
    Field("discipline"),
    Field("proposed_title"),
    Field("proposed_award"),
    Field("achievement"),
    Field("remark"),
];

const COLLECTIVE_COLUMNS: &[FormColumn] = &[
    RowNumber,
    Field("name"),
    Field("members"),
    Field("members_htnv_or_better"),
    Field("members_ldtt"),
    Field("members_cstdcs"),
    Field("members_disciplined"),
    RatingBack(1),
    TitleBack(1),
    RatingBack(0),
    Field("proposed_title"),
    Field("proposed_award"),
    Field("achievement"),
    Field("remark"),
];

impl FormColumn {
    /// The header: "Số tháng công tác", "Xếp loại năm N-1" (or, with the
    /// year, "Xếp loại năm 2024").
    fn header(self, subject: Subject, year: Option<i32>) -> String {
        let in_year = |what: &str, back: i32| match (year, back) {
            (Some(y), k) => format!("{what} năm {}", y - k),
            (None, 0) => format!("{what} năm N"),
            (None, k) => format!("{what} năm N-{k}"),
        };
        match self {
            RowNumber => "STT".to_string(),
            Field(key) => fields::label(key, Some(subject)).unwrap_or(key).to_string(),
            RatingBack(k) => in_year("Xếp loại", k),
            TitleBack(k) => in_year("Danh hiệu", k),
        }
    }
}

/// The form as .xlsx bytes. With `year`, headers carry the years
/// ("Xếp loại năm 2025") instead of N, N-1.
pub fn blank_form(regulation: &Regulation, year: Option<i32>) -> Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    // A fixed date keeps the file byte-identical from run to run.
    let created = ExcelDateTime::from_ymd(2025, 1, 1)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_title("Biểu mẫu đề nghị khen thưởng"),
    );

    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color(0xDDEBF7);

    let info = workbook.add_worksheet();
    info.set_name("Thông tin đơn vị")?;
    info.set_column_width(0, 28)?;
    info.set_column_width(1, 50)?;
    let labels = [
        "Tên đơn vị",
        "Mã đơn vị",
        "Năm xét",
        "Tổng số cán bộ",
        "Người lập",
        "Ngày lập",
        "Thủ trưởng đơn vị",
    ];
    for (row, label) in labels.iter().enumerate() {
        info.write_string_with_format(row as u32, 0, *label, &bold)?;
    }
    if let Some(year) = year {
        info.write_number(2, 1, f64::from(year))?;
    }

    let codes = |kind: HonourKind| -> Vec<&str> {
        regulation
            .honours
            .iter()
            .filter(|h| h.kind == kind)
            .map(|h| h.code.as_str())
            .collect()
    };
    let choices = Choices {
        ratings: Rating::ALL.iter().map(|r| r.code()).collect(),
        titles: codes(HonourKind::Title),
        awards: codes(HonourKind::Award),
    };
    let lists = [
        (
            "Cá nhân",
            "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG CÁ NHÂN",
            INDIVIDUAL_COLUMNS,
            Subject::Individual,
        ),
        (
            "Tập thể",
            "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG TẬP THỂ",
            COLLECTIVE_COLUMNS,
            Subject::Collective,
        ),
    ];
    for (name, title, columns, subject) in lists {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        let mut headers: Vec<String> = columns.iter().map(|c| c.header(subject, year)).collect();
        // The regulation's own columns (toolkit scores …) go before the
        // proposal, where a unit fills in the facts.
        let at = headers
            .iter()
            .position(|h| h == "Danh hiệu đề nghị")
            .unwrap_or(headers.len());
        let extra = regulation.columns_for(subject).map(|c| c.label.clone());
        headers.splice(at..at, extra);
        write_list(sheet, title, &headers, &header, year)?;
        for (col, label) in headers.iter().enumerate() {
            if let Some(values) = choices.for_column(label) {
                drop_down(sheet, col as u16, values)?;
            }
        }
    }
    Ok(workbook.save_to_buffer()?)
}

/// The values a column's drop-down list offers.
struct Choices<'a> {
    ratings: Vec<&'a str>,
    titles: Vec<&'a str>,
    awards: Vec<&'a str>,
}

impl Choices<'_> {
    fn for_column(&self, label: &str) -> Option<&[&str]> {
        if label.starts_with("Xếp loại") {
            Some(&self.ratings)
        } else if label.starts_with("Danh hiệu") {
            Some(&self.titles)
        } else if label.starts_with("Hình thức") {
            Some(&self.awards)
        } else if label == "Giới tính" {
            Some(&["Nam", "Nữ"])
        } else {
            None
        }
    }
}

fn write_list(
    sheet: &mut Worksheet,
    title: &str,
    headers: &[String],
    format: &Format,
    year: Option<i32>,
) -> Result<()> {
    let title = match year {
        Some(y) => format!("{title} NĂM {y}"),
        None => title.to_string(),
    };
    sheet.write_string_with_format(0, 0, title, &Format::new().set_bold().set_font_size(14))?;
    for (col, name) in headers.iter().enumerate() {
        sheet.write_string_with_format(2, col as u16, name, format)?;
        let width = match name.as_str() {
            "STT" => 5.0,
            "Họ và tên" | "Tên tập thể" => 26.0,
            "Tóm tắt thành tích" | "Sáng kiến" => 40.0,
            _ => 14.0,
        };
        sheet.set_column_width(col as u16, width)?;
    }
    sheet.set_row_height(2, 45)?;
    sheet.set_freeze_panes(3, 2)?;
    Ok(())
}

fn drop_down(sheet: &mut Worksheet, col: u16, values: &[&str]) -> Result<()> {
    let validation = DataValidation::new().allow_list_strings(values)?;
    sheet.add_data_validation(3, col, 3 + DATA_ROWS, col, &validation)?;
    Ok(())
}
