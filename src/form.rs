//! `tdkt form`: the blank submission workbook of form-spec.md, with
//! drop-down lists for ratings, titles, awards and sex.

use anyhow::Result;
use rust_xlsxwriter::{
    DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook,
    Worksheet,
};

use crate::model::Rating;
use crate::regulation::{HonourKind, Regulation, Subject};

/// Rows of the form that carry drop-down lists.
const DATA_ROWS: u32 = 500;

pub const INDIVIDUAL_HEADERS: &[&str] = &[
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Chức vụ",
    "Chức danh",
    "Đơn vị công tác",
    "Xếp loại năm N",
    "Xếp loại năm N-1",
    "Xếp loại năm N-2",
    "Danh hiệu năm N-1",
    "Danh hiệu năm N-2",
    "Khen thưởng đã nhận",
    "Giờ giảng thực hiện",
    "Điểm NCKH",
    "Sáng kiến",
    "Số tháng công tác",
    "Kỷ luật",
    "Danh hiệu đề nghị",
    "Hình thức khen thưởng đề nghị",
    "Tóm tắt thành tích",
    "Ghi chú",
];

pub const COLLECTIVE_HEADERS: &[&str] = &[
    "STT",
    "Tên tập thể",
    "Số thành viên",
    "Số hoàn thành nhiệm vụ trở lên",
    "Số đạt LĐTT",
    "Số đạt CSTĐCS",
    "Số bị kỷ luật",
    "Xếp loại năm N-1",
    "Danh hiệu năm N-1",
    "Xếp loại năm N",
    "Danh hiệu đề nghị",
    "Hình thức khen thưởng đề nghị",
    "Tóm tắt thành tích",
    "Ghi chú",
];

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
            INDIVIDUAL_HEADERS,
            Subject::Individual,
        ),
        (
            "Tập thể",
            "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG TẬP THỂ",
            COLLECTIVE_HEADERS,
            Subject::Collective,
        ),
    ];
    for (name, title, headers, subject) in lists {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        let mut headers = with_years(headers, year);
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

fn with_years(headers: &[&str], year: Option<i32>) -> Vec<String> {
    headers
        .iter()
        .map(|h| match year {
            Some(y) => h
                .replace("năm N-2", &format!("năm {}", y - 2))
                .replace("năm N-1", &format!("năm {}", y - 1))
                .replace("năm N", &format!("năm {y}")),
            None => h.to_string(),
        })
        .collect()
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
