#!/usr/bin/env python3
"""Generate the sample campaign folder ``samples/hvctqg-2025/``.

Campaign: Học viện Chính trị quốc gia Hồ Chí Minh, evaluation year 2025.

Writes
  hvctqg-2025/units.csv          the unit list (code,name,aliases)
  hvctqg-2025/inbox/*.xlsx       9 unit workbooks in the canonical form
                                  (docs: /work/shared/form-spec.md)
  hvctqg-2025/inbox/ghi-chu.txt  a non-spreadsheet note (ingest must skip it
                                  with a warning)
  hvctqg-2025/EXPECTED.md        the planted failing rows, with Excel row numbers

Deterministic: a single ``random.Random(2025)``, no network, fixed document
timestamps and zip entry dates (the xlsx files are byte-identical across runs).

Producers (both libraries write slightly different XML, so the reader sees both):
  openpyxl   : vien-triet-hoc, vien-lich-su-dang, vien-nha-nuoc-va-phap-luat,
               ban-to-chuc-can-bo, hvct-kv1
  xlsxwriter : vien-kinh-te-chinh-tri-hoc, vien-xay-dung-dang,
               vien-quan-he-quoc-te, van-phong-hoc-vien

Deliberate variations between workbooks
  * birth dates typed as text dd/mm/yyyy: vien-nha-nuoc-va-phap-luat (openpyxl)
    and van-phong-hoc-vien (xlsxwriter); real date cells everywhere else;
  * ratings written as full words ("Hoàn thành tốt nhiệm vụ") in
    vien-lich-su-dang; codes (HTTNV, ...) everywhere else;
  * the rating quota (HTXSNV <= floor(20% of those rated HTTNV or HTXSNV))
    is breached in vien-quan-he-quoc-te only (5 HTXSNV of 14, allowed 2).

PLANTED FAILURES (the rules, Y = 2025, are those of domain.md; every proposal
not listed here is built to be eligible, and the self-check at the end of this
script re-reads the files, re-applies the rules and asserts exactly that):
  F01 VTH  LĐTT    rating 2025 HTNV                          -> not-eligible
  F02 VPHV LĐTT    rating 2025 KHTNV                         -> not-eligible
  F03 VKT  LĐTT    4 months worked (new recruit)             -> not-eligible
  F04 KV1  CSTĐCS  5 months worked (fails LĐTT prerequisite) -> not-eligible
  F05 VXD  LĐTT    discipline "Khiển trách" (rating HTTNV kept on purpose so
                   that only the discipline rule trips)      -> not-eligible
  F06 VNN  CSTĐCS  Ghi chú "đang xem xét kỷ luật"            -> held
  F07 VLS  CSTĐCS  rating HTTNV, Sáng kiến empty             -> not-eligible
  F08 KV1  CSTĐCS  rating HTTNV, Sáng kiến empty             -> not-eligible
  F09 VXD  BK-BỘ   CSTĐCS 2023 and 2025 but LĐTT in 2024: no two consecutive
                   years (its CSTĐCS 2025 itself is eligible) -> not-eligible
  F10 VNN  CSTĐCS  rating HTTNV, no Sáng kiến                 -> not-eligible
      VNN  BK-BỘ   same row: CSTĐCS 2024 but the 2025 CSTĐCS fails and 2023
                   is LĐTT                                   -> not-eligible
  F11 BTC  BK-BỘ   only LĐTT in 2021-2024 (its LĐTT 2025 is eligible)
                                                             -> not-eligible
  F12 BTC  GK      rating 2025 HTNV (GK only, no title)      -> not-eligible
  F13 KV1  BK-TTG  BK-BỘ (2020), rating and title of 2021 both empty: the
                   5-year chain 2021-2025 cannot be verified -> cannot-verify
  F14 VTH  BK-TTG  BK-BỘ (2020), 5 good years, but CSTĐCS only twice (2022,
                   2024); proposes LĐTT in 2025 (eligible)   -> not-eligible
  F15 VLS  TTLĐXS  collective: 15 members, LĐTT 8 (+2 CSTĐCS = 10) < ceil(0.7*15)=11
                                                             -> not-eligible
  F16 KV1  TTLĐXS  collective: 12 members, only 11 HTNV or better (1 disciplined)
                                                             -> not-eligible
  F17 VPHV TTLĐTT  collective: LĐTT 5 of 10 = exactly 50%, rule needs > 50%
                                                             -> not-eligible
  F18 VKT  BK-BỘ   collective: HTXSNV 2025 but HTTNV/TTLĐTT in 2024: neither two
                   consecutive HTXSNV nor two consecutive TTLĐXS (its TTLĐXS
                   2025 is eligible)                         -> not-eligible
  Unit level: VQH rating quota breached (see above).

Boundary cases that must PASS: a VTH person with 8 months worked and a KV1
person with exactly 6 months (LĐTT); TTLĐXS collectives at or just above the
70% threshold; a VQH person whose Tóm tắt thành tích contains Typst markup
characters (GK, HTTNV) and must reach a certificate verbatim.

Teaching/research norms: the agency's norms are configuration (UNCONFIRMED in
regulation-notes.md), so every lecturer proposed for a title has teaching hours
>= 270 / 290 / 310 (Giảng viên / chính / cao cấp, TT 01/2018) and research
points >= 1; only lecturers proposed for GK alone have fewer hours (200-269).
"""

import csv
import datetime as dt
import io
import math
import os
import random
import re
import shutil
import sys
import unicodedata
import zipfile
from collections import Counter, OrderedDict, defaultdict

import openpyxl
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
import xlsxwriter

Y = 2025
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "hvctqg-2025")
INBOX = os.path.join(OUT, "inbox")
rng = random.Random(2025)

FIXED_TS = "2025-12-20T08:00:00Z"
ZIP_DATE = (2025, 12, 20, 8, 0, 0)


def nfc(s):
    return unicodedata.normalize("NFC", s)


# --------------------------------------------------------------------------
# The form (form-spec.md, canonical labels)
# --------------------------------------------------------------------------
IND_HEADERS = [
    "STT", "Họ và tên", "Ngày sinh", "Giới tính", "Chức vụ", "Chức danh",
    "Đơn vị công tác", "Xếp loại năm 2025", "Xếp loại năm 2024",
    "Xếp loại năm 2023", "Xếp loại năm 2022", "Xếp loại năm 2021",
    "Danh hiệu năm 2024", "Danh hiệu năm 2023", "Danh hiệu năm 2022",
    "Danh hiệu năm 2021", "Khen thưởng đã nhận", "Giờ giảng thực hiện",
    "Điểm NCKH", "Sáng kiến", "Số tháng công tác", "Kỷ luật",
    "Danh hiệu đề nghị", "Hình thức khen thưởng đề nghị",
    "Tóm tắt thành tích", "Ghi chú",
]
IND_WIDTHS = [5, 26, 12, 7, 16, 22, 34, 10, 10, 10, 10, 10, 10, 10, 10, 10,
              24, 9, 8, 48, 8, 11, 11, 13, 60, 24]
COL_HEADERS = [
    "STT", "Tên tập thể", "Số thành viên", "Số hoàn thành nhiệm vụ trở lên",
    "Số đạt LĐTT", "Số đạt CSTĐCS", "Số bị kỷ luật", "Xếp loại năm 2025",
    "Xếp loại năm 2024", "Danh hiệu năm 2024", "Danh hiệu đề nghị",
    "Hình thức khen thưởng đề nghị", "Tóm tắt thành tích", "Ghi chú",
]
COL_WIDTHS = [5, 44, 10, 13, 9, 9, 9, 11, 11, 11, 11, 13, 60, 20]
IND_TITLE = "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG CÁ NHÂN NĂM 2025"
COL_TITLE = "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG TẬP THỂ NĂM 2025"
HEADER_ROW = 3
FIRST_DATA_ROW = 4

RATING_WORDS = {
    "HTXSNV": "Hoàn thành xuất sắc nhiệm vụ",
    "HTTNV": "Hoàn thành tốt nhiệm vụ",
    "HTNV": "Hoàn thành nhiệm vụ",
    "KHTNV": "Không hoàn thành nhiệm vụ",
}
RANK = {"HTXSNV": 3, "HTTNV": 2, "HTNV": 1, "KHTNV": 0}

# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------
FAMILY = [("Nguyễn", 30), ("Trần", 11), ("Lê", 10), ("Phạm", 7), ("Hoàng", 5),
          ("Huỳnh", 2), ("Phan", 4), ("Vũ", 5), ("Võ", 2), ("Đặng", 3),
          ("Bùi", 3), ("Đỗ", 4), ("Hồ", 2), ("Ngô", 3), ("Dương", 2),
          ("Lý", 1), ("Đinh", 2), ("Trịnh", 2), ("Lương", 1), ("Mai", 1),
          ("Đoàn", 1), ("Cao", 1), ("Tạ", 1), ("Lưu", 1), ("Vương", 1),
          ("Kiều", 1), ("Khuất", 1), ("Nghiêm", 1), ("Chu", 1), ("Tô", 1)]
MIDDLE_M = ["Văn", "Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Mạnh", "Xuân", "Thanh",
            "Tiến", "Công", "Ngọc", "Việt", "Anh", "Trọng", "Duy", "Đình",
            "Hoàng", "Sỹ", "Bá", "Huy"]
MIDDLE_F = ["Thị"] * 10 + ["Thu", "Thanh", "Ngọc", "Minh", "Thúy",
            "Hồng", "Phương", "Bích", "Kim", "Diệu", "Hải", "Mai"]
SECOND_F = ["Thu", "Minh", "Ngọc", "Thanh", "Hồng", "Kim", "Phương", "Lan"]
GIVEN_M = ["Hùng", "Đức", "Dũng", "Tuấn", "Hải", "Long", "Nam", "Thắng",
           "Cường", "Quân", "Sơn", "Trung", "Khánh", "Vinh", "Hiếu", "Phong",
           "Thịnh", "Lực", "Tùng", "Đạt", "Bình", "Huy", "Kiên", "Lâm",
           "Nghĩa", "Quyết", "Thành", "Tú", "Hưng", "Toàn", "Việt", "Hòa",
           "Quý", "Chiến", "Giang", "Đông", "Ước", "Ân", "Ánh", "Ưng", "Ơn"]
GIVEN_F = ["Lan", "Ánh", "Thủy", "Ngọc", "Quỳnh", "Hoa", "Hương", "Mai",
           "Hằng", "Huyền", "Trang", "Thảo", "Yến", "Nga", "Liên", "Oanh",
           "Phượng", "Vân", "Nhung", "Diệp", "Hà", "Hạnh", "Thư", "Uyên",
           "Ly", "Loan", "Dung", "Giang", "Ân", "Ưng"]
USED_NAMES = set()


def base_letters(s):
    s = unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in s if not unicodedata.combining(ch)).lower()


def new_name(sex):
    fam_pool = [f for f, w in FAMILY for _ in range(w)]
    while True:
        fam = rng.choice(fam_pool)
        if sex == "Nam":
            parts = [fam, rng.choice(MIDDLE_M), rng.choice(GIVEN_M)]
        else:
            mid = rng.choice(MIDDLE_F)
            parts = [fam, mid]
            if mid == "Thị" and rng.random() < 0.25:
                parts.append(rng.choice(SECOND_F))
            parts.append(rng.choice(GIVEN_F))
        if base_letters(parts[-1]) == base_letters(parts[-2]):
            continue
        name = nfc(" ".join(parts))
        if name not in USED_NAMES:
            USED_NAMES.add(name)
            return name


def claim_name(name):
    name = nfc(name)
    assert name not in USED_NAMES, name
    USED_NAMES.add(name)
    return name


# --------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------
# sub-unit kinds: "khoa" (lecturers), "nc" (researchers), "vp" (staff)
VIEN_POS = {"head": "Viện trưởng", "deputy": "Phó Viện trưởng",
            "khoa": ("Trưởng khoa", "Phó Trưởng khoa"),
            "nc": ("Trưởng phòng", "Phó Trưởng phòng"),
            "vp": ("Trưởng phòng", "Phó Trưởng phòng")}

TOPICS = {
    "VTH": ["Đổi mới phương pháp giảng dạy học phần Triết học Mác – Lênin theo hướng phát huy tính tích cực của học viên",
            "Xây dựng bộ câu hỏi ôn tập môn Lịch sử triết học cho hệ cao cấp lý luận chính trị",
            "Ứng dụng bản đồ tư duy trong giảng dạy phép biện chứng duy vật",
            "Biên soạn tài liệu tham khảo về triết học phương Đông cho học viên",
            "Số hóa tư liệu kinh điển triết học phục vụ nghiên cứu",
            "Tổ chức tọa đàm chuyên đề về triết lý phát triển Việt Nam"],
    "VKT": ["Xây dựng ngân hàng đề thi học phần Kinh tế chính trị Mác – Lênin",
            "Ứng dụng phương pháp tình huống trong giảng dạy kinh tế thị trường định hướng xã hội chủ nghĩa",
            "Cập nhật số liệu thống kê kinh tế - xã hội năm 2025 vào bài giảng",
            "Thiết kế bài giảng điện tử về kinh tế số và kinh tế tuần hoàn",
            "Quy trình thẩm định đề cương đề tài khoa học cấp cơ sở của Viện",
            "Hệ thống hóa các nghị quyết của Đảng về phát triển kinh tế tư nhân"],
    "VLS": ["Sưu tầm, chỉnh lý tư liệu lịch sử đảng bộ địa phương phục vụ giảng dạy",
            "Phương pháp sử dụng tư liệu gốc trong giảng dạy Lịch sử Đảng Cộng sản Việt Nam",
            "Xây dựng phim tư liệu ngắn phục vụ bài giảng về Cách mạng Tháng Tám",
            "Biên soạn niên biểu các sự kiện lịch sử Đảng giai đoạn 1930 – 1945",
            "Tổ chức học tập thực tế tại các di tích lịch sử cách mạng",
            "Xây dựng cơ sở dữ liệu về các kỳ Đại hội Đảng"],
    "VXD": ["Quy trình hướng dẫn học viên viết tiểu luận về công tác xây dựng Đảng",
            "Giải pháp nâng cao chất lượng sinh hoạt chi bộ trong đơn vị sự nghiệp",
            "Xây dựng tình huống điển hình về công tác kiểm tra, giám sát của Đảng",
            "Bộ tài liệu bồi dưỡng cấp ủy viên cơ sở về công tác cán bộ",
            "Ứng dụng phần mềm quản lý hồ sơ đảng viên trong giảng dạy thực hành",
            "Tổng kết thực tiễn công tác phát triển đảng viên trong doanh nghiệp tư nhân"],
    "VNN": ["Xây dựng bộ tình huống pháp luật hành chính phục vụ giảng dạy",
            "Hệ thống hóa văn bản pháp luật về tổ chức chính quyền địa phương hai cấp",
            "Đổi mới phương pháp giảng dạy chuyên đề Nhà nước pháp quyền xã hội chủ nghĩa",
            "Cẩm nang tra cứu văn bản quy phạm pháp luật cho học viên",
            "Tổ chức phiên tòa giả định trong giảng dạy pháp luật",
            "Nghiên cứu so sánh mô hình kiểm soát quyền lực nhà nước"],
    "VQH": ["Xây dựng bản tin phân tích tình hình thế giới hằng tháng phục vụ giảng dạy",
            "Cập nhật tư liệu về chính sách đối ngoại đa phương vào bài giảng",
            "Tổ chức diễn đàn học viên về hội nhập quốc tế",
            "Biên soạn tài liệu tham khảo về quan hệ Việt Nam – ASEAN",
            "Ứng dụng cơ sở dữ liệu quốc tế trong nghiên cứu chính trị thế giới",
            "Quy trình dịch thuật, hiệu đính tài liệu nước ngoài của Viện"],
    "BTC": ["Số hóa hồ sơ cán bộ, viên chức của Học viện",
            "Quy trình rà soát quy hoạch cán bộ lãnh đạo, quản lý các cấp",
            "Phần mềm theo dõi thời hạn nâng lương, nâng ngạch",
            "Bộ biểu mẫu đánh giá, xếp loại chất lượng viên chức hằng năm",
            "Hệ thống tra cứu chế độ, chính sách cho cán bộ nghỉ hưu",
            "Cải tiến quy trình tiếp nhận, điều động viên chức"],
    "VPHV": ["Ứng dụng chữ ký số trong xử lý văn bản đi, đến",
             "Quy trình lưu trữ hồ sơ điện tử của Văn phòng Học viện",
             "Sổ tay nghiệp vụ lễ tân, khánh tiết",
             "Cải tiến quy trình quản lý phương tiện, xe công",
             "Phần mềm đăng ký phòng họp trực tuyến",
             "Quy trình tổng hợp báo cáo định kỳ của Học viện"],
    "KV1": ["Đổi mới phương pháp hướng dẫn học viên viết đề án tốt nghiệp",
            "Xây dựng học liệu số cho chương trình cao cấp lý luận chính trị",
            "Tổ chức lớp học kết hợp trực tiếp và trực tuyến",
            "Ứng dụng phần mềm quản lý điểm học viên",
            "Quy trình khảo sát ý kiến học viên sau mỗi học phần",
            "Biên soạn tài liệu bồi dưỡng kiến thức về chuyển đổi số cho cán bộ",
            "Tổ chức nghiên cứu thực tế tại các tỉnh miền núi phía Bắc"],
}

TYPST_ACHIEVEMENT = ('Đã có thành tích xuất sắc (đạt 100% chỉ tiêu) #1 *nổi bật* '
                     '_[2025]_ $x$ @ref <tag> \\ "trích dẫn"')

# Special people per unit: (kind, hints). Everyone else is an ordinary LĐTT
# proposal. Kinds starting with "F" are planted failures (see module doc).
UNITS = [
    dict(code="VTH", name="Viện Triết học", aliases="", file="vien-triet-hoc.xlsx",
         producer="openpyxl", size=20, nxs=3, headcount=34,
         subs=[("Khoa Triết học Mác – Lênin", "khoa"), ("Khoa Lịch sử triết học", "khoa"),
               ("Phòng Nghiên cứu Triết học Mác – Lênin", "nc"), ("Văn phòng Viện", "vp")],
         special=[("hcld3", dict(pos="head", prop_title="CSTĐCS")),
                  ("bkbo_a", dict(pos="deputy")), ("bkbo_a", {}), ("bkbo_b", {}),
                  ("cstdcs", {}), ("gk", dict(name="Nguyễn Thị Lan", sex="Nữ")), ("gk", {}), ("gk", {}),
                  ("F14", dict(id="F14")), ("F01", dict(id="F01", name="Lê Văn Ưng", sex="Nam")),
                  ("m8", {})],
         collectives=[
             dict(name="Phòng Nghiên cứu Triết học Mác – Lênin", m=12, ht=12, ld=10, cs=2, kl=0,
                  r25="HTXSNV", r24="HTXSNV", t24="TTLĐXS", title="TTLĐXS", award="BK-BỘ",
                  ach="Đã có thành tích xuất sắc trong công tác nghiên cứu khoa học hai năm liên tục 2024 – 2025"),
             dict(name="Khoa Triết học Mác – Lênin", m=14, ht=14, ld=10, cs=2, kl=0,
                  r25="HTXSNV", r24="HTTNV", t24="TTLĐTT", title="TTLĐXS"),
             dict(name="Văn phòng Viện", m=6, ht=6, ld=5, cs=0, kl=0,
                  r25="HTTNV", r24="HTTNV", t24="TTLĐTT", title="TTLĐTT")]),
    dict(code="VKT", name="Viện Kinh tế chính trị học", aliases="",
         file="vien-kinh-te-chinh-tri-hoc.xlsx", producer="xlsxwriter", size=18, nxs=3,
         headcount=29,
         subs=[("Khoa Kinh tế chính trị", "khoa"), ("Khoa Kinh tế phát triển", "khoa"),
               ("Phòng Nghiên cứu Kinh tế chính trị học", "nc"), ("Văn phòng Viện", "vp")],
         special=[("bkbo_a", dict(pos="head")), ("bkbo_a", {}), ("cstdcs", {}),
                  ("gk", {}), ("gk", {}), ("gk_only", {}),
                  ("F03", dict(id="F03"))],
         collectives=[
             dict(name="Khoa Kinh tế chính trị", m=13, ht=13, ld=11, cs=2, kl=0,
                  r25="HTXSNV", r24="HTXSNV", t24="TTLĐXS", title="TTLĐXS"),
             dict(id="F18", name="Phòng Nghiên cứu Kinh tế chính trị học", m=10, ht=10, ld=9, cs=1,
                  kl=0, r25="HTXSNV", r24="HTTNV", t24="TTLĐTT", title="TTLĐXS", award="BK-BỘ",
                  ach="Đã có thành tích xuất sắc trong công tác nghiên cứu khoa học năm 2025")]),
    dict(code="VLS", name="Viện Lịch sử Đảng", aliases="", file="vien-lich-su-dang.xlsx",
         producer="openpyxl", size=16, nxs=2, headcount=27, rating_words=True,
         subs=[("Khoa Lịch sử Đảng", "khoa"),
               ("Phòng Nghiên cứu Lịch sử Đảng Cộng sản Việt Nam", "nc"),
               ("Phòng Nghiên cứu Lịch sử địa phương", "nc"), ("Văn phòng Viện", "vp")],
         special=[("bkbo_a", dict(pos="head")), ("bkbo_b", {}), ("cstdcs", {}),
                  ("gk", {}), ("gk", {}), ("gk", {}), ("F07", dict(id="F07")),
                  ("maternity", dict(sex="Nữ"))],
         collectives=[
             dict(name="Khoa Lịch sử Đảng", m=11, ht=11, ld=9, cs=1, kl=0,
                  r25="HTTNV", r24="HTTNV", t24="TTLĐTT", title="TTLĐTT"),
             dict(id="F15", name="Phòng Nghiên cứu Lịch sử Đảng Cộng sản Việt Nam", m=15, ht=15,
                  ld=8, cs=2, kl=0, r25="HTXSNV", r24="HTTNV", t24="TTLĐTT", title="TTLĐXS")]),
    dict(code="VXD", name="Viện Xây dựng Đảng", aliases="", file="vien-xay-dung-dang.xlsx",
         producer="xlsxwriter", size=17, nxs=2, headcount=28,
         subs=[("Khoa Xây dựng Đảng", "khoa"),
               ("Phòng Nghiên cứu Công tác tổ chức, cán bộ", "nc"),
               ("Phòng Nghiên cứu Công tác kiểm tra, giám sát", "nc"), ("Văn phòng Viện", "vp")],
         special=[("bkbo_a", dict(pos="head")), ("bkbo_a", {}), ("F09", dict(id="F09")),
                  ("gk", {}), ("gk", {}), ("gk", {}), ("F05", dict(id="F05"))],
         collectives=[
             dict(name="Khoa Xây dựng Đảng", m=12, ht=12, ld=10, cs=2, kl=0,
                  r25="HTXSNV", r24="HTXSNV", t24="TTLĐXS", title="TTLĐXS"),
             dict(name="Văn phòng Viện", m=5, ht=5, ld=4, cs=0, kl=0,
                  r25="HTTNV", r24="HTTNV", t24="TTLĐTT", title="TTLĐTT")]),
    dict(code="VNN", name="Viện Nhà nước và Pháp luật", aliases="",
         file="vien-nha-nuoc-va-phap-luat.xlsx", producer="openpyxl", size=15, nxs=2,
         headcount=24, text_dates=True,
         subs=[("Khoa Nhà nước và Pháp luật", "khoa"), ("Phòng Nghiên cứu Lý luận nhà nước", "nc"),
               ("Phòng Nghiên cứu Pháp luật", "nc"), ("Văn phòng Viện", "vp")],
         special=[("bkbo_a", dict(pos="head")), ("F10", dict(id="F10")), ("F06", dict(id="F06")),
                  ("cstdcs", {}), ("gk", {}), ("gk", {}), ("transfer", {})],
         collectives=[
             dict(name="Khoa Nhà nước và Pháp luật", m=9, ht=9, ld=7, cs=1, kl=0,
                  r25="HTTNV", r24="HTTNV", t24="TTLĐTT", title="TTLĐTT")]),
    dict(code="VQH", name="Viện Quan hệ quốc tế", aliases="", file="vien-quan-he-quoc-te.xlsx",
         producer="xlsxwriter", size=14, nxs=5, headcount=21,
         subs=[("Khoa Quan hệ quốc tế", "khoa"), ("Phòng Nghiên cứu Chính trị thế giới", "nc"),
               ("Phòng Nghiên cứu Đối ngoại", "nc"), ("Văn phòng Viện", "vp")],
         special=[("bkbo_a", dict(pos="head")), ("bkbo_a", {}), ("cstdcs", {}),
                  ("bkttg", {}), ("typst", dict(name="Vũ Thị Ngọc Ánh", sex="Nữ")),
                  ("gk", {}), ("gk", {})],
         collectives=[
             dict(name="Phòng Nghiên cứu Đối ngoại", m=8, ht=8, ld=6, cs=1, kl=0,
                  r25="HTTNV", r24="HTTNV", t24="TTLĐTT", title="TTLĐTT")]),
    dict(code="BTC", name="Ban Tổ chức - Cán bộ", aliases="Ban TCCB", file="ban-to-chuc-can-bo.xlsx",
         producer="openpyxl", size=13, nxs=2, headcount=19,
         subs=[("Phòng Tổ chức", "vp"), ("Phòng Cán bộ", "vp"), ("Phòng Chính sách", "vp"),
               ("Phòng Bảo vệ chính trị nội bộ", "vp")],
         special=[("bkbo_a", dict(pos="head")), ("cstdcs", {}), ("F11", dict(id="F11")),
                  ("F12", dict(id="F12")), ("gk", {}), ("gk", {})],
         collectives=[
             dict(name="Phòng Cán bộ", m=7, ht=7, ld=6, cs=1, kl=0,
                  r25="HTXSNV", r24="HTXSNV", t24="TTLĐTT", title="TTLĐTT")]),
    dict(code="VPHV", name="Văn phòng Học viện", aliases="VP Học viện", file="van-phong-hoc-vien.xlsx",
         producer="xlsxwriter", size=15, nxs=2, headcount=38, text_dates=True,
         subs=[("Phòng Hành chính", "vp"), ("Phòng Tổng hợp", "vp"), ("Phòng Quản trị", "vp"),
               ("Phòng Thi đua – Khen thưởng", "vp")],
         special=[("bkbo_b", dict(pos="head")), ("cstdcs", {}), ("cstdcs", {}),
                  ("F02", dict(id="F02", name="Hồ Văn Ơn", sex="Nam")),
                  ("gk", {}), ("gk", {}), ("gk", {})],
         collectives=[
             dict(name="Phòng Hành chính", m=9, ht=9, ld=8, cs=0, kl=0,
                  r25="HTTNV", r24="HTTNV", t24="TTLĐTT", title="TTLĐTT"),
             dict(id="F17", name="Phòng Quản trị", m=10, ht=10, ld=5, cs=0, kl=0,
                  r25="HTTNV", r24="HTNV", t24=None, title="TTLĐTT")]),
    dict(code="KV1", name="Học viện Chính trị khu vực I",
         aliases="HVCT KV I;Học viện Chính trị khu vực 1", file="hvct-kv1.xlsx",
         producer="openpyxl", size=22, nxs=3, headcount=96,
         subs=[("Khoa Triết học", "khoa"), ("Khoa Kinh tế chính trị", "khoa"),
               ("Khoa Xây dựng Đảng", "khoa"), ("Khoa Nhà nước và Pháp luật", "khoa"),
               ("Ban Quản lý đào tạo", "vp"), ("Văn phòng", "vp")],
         special=[("hcld3", dict(pos="head", prop_title="LĐTT")), ("bkbo_a", dict(pos="deputy")),
                  ("bkbo_a", {}), ("bkbo_b", {}), ("cstdcs", {}), ("bkttg", {}),
                  ("F13", dict(id="F13")), ("F04", dict(id="F04")), ("F08", dict(id="F08")),
                  ("gk", {}), ("gk", {}), ("gk_only", {}), ("m6", {})],
         collectives=[
             dict(name="Khoa Xây dựng Đảng", m=16, ht=16, ld=13, cs=3, kl=0,
                  r25="HTXSNV", r24="HTXSNV", t24="TTLĐXS", title="TTLĐXS", award="BK-BỘ",
                  ach="Đã có thành tích xuất sắc trong công tác giảng dạy, nghiên cứu khoa học hai năm liên tục 2024 – 2025"),
             dict(name="Ban Quản lý đào tạo", m=8, ht=8, ld=6, cs=0, kl=0,
                  r25="HTTNV", r24="HTTNV", t24="TTLĐTT", title="TTLĐTT"),
             dict(id="F16", name="Khoa Triết học", m=12, ht=11, ld=10, cs=2, kl=1,
                  r25="HTXSNV", r24="HTTNV", t24="TTLĐTT", title="TTLĐXS")]),
]
for u in UNITS:
    u.setdefault("rating_words", False)
    u.setdefault("text_dates", False)
    if u["code"] == "BTC":
        u["pos"] = {"head": "Trưởng ban", "deputy": "Phó Trưởng ban",
                    "vp": ("Trưởng phòng", "Phó Trưởng phòng")}
    elif u["code"] == "VPHV":
        u["pos"] = {"head": "Chánh Văn phòng", "deputy": "Phó Chánh Văn phòng",
                    "vp": ("Trưởng phòng", "Phó Trưởng phòng")}
    elif u["code"] == "KV1":
        u["pos"] = {"head": "Giám đốc", "deputy": "Phó Giám đốc",
                    "khoa": ("Trưởng khoa", "Phó Trưởng khoa"),
                    "vp": ("Trưởng ban", "Phó Trưởng ban")}
    else:
        u["pos"] = VIEN_POS

# Why each planted row must fail (for EXPECTED.md)
PLANT_WHY = {
    "F01": ("LĐTT", "not-eligible", "Xếp loại 2025 là HTNV (LĐTT cần HTTNV trở lên)"),
    "F02": ("LĐTT", "not-eligible", "Xếp loại 2025 là KHTNV"),
    "F03": ("LĐTT", "not-eligible", "Chỉ công tác 4 tháng (< 6 tháng)"),
    "F04": ("CSTĐCS", "not-eligible", "Chỉ công tác 5 tháng: không đạt LĐTT nên không đạt CSTĐCS"),
    "F05": ("LĐTT", "not-eligible", "Bị kỷ luật Khiển trách trong năm 2025 (xếp loại HTTNV để chỉ quy tắc kỷ luật bị vi phạm)"),
    "F06": ("CSTĐCS", "held", "Ghi chú 'đang xem xét kỷ luật' → chưa xét"),
    "F07": ("CSTĐCS", "not-eligible", "Xếp loại HTTNV (không HTXSNV) và không có sáng kiến"),
    "F08": ("CSTĐCS", "not-eligible", "Xếp loại HTTNV (không HTXSNV) và không có sáng kiến"),
    "F09": ("BK-BỘ", "not-eligible", "CSTĐCS 2023 và 2025 nhưng 2024 chỉ LĐTT: không có 2 năm CSTĐCS liên tục (CSTĐCS 2025 của người này đạt)"),
    "F10": ("CSTĐCS", "not-eligible", "Xếp loại HTTNV và không có sáng kiến"),
    "F10b": ("BK-BỘ", "not-eligible", "CSTĐCS 2024 nhưng CSTĐCS 2025 không đạt và 2023 chỉ LĐTT"),
    "F11": ("BK-BỘ", "not-eligible", "2021–2024 chỉ LĐTT, đề nghị 2025 là LĐTT: không có CSTĐCS"),
    "F12": ("GK", "not-eligible", "Xếp loại 2025 là HTNV (Giấy khen cần HTTNV trở lên)"),
    "F13": ("BK-TTG", "cannot-verify", "BK-BỘ (2020); ô xếp loại và danh hiệu năm 2021 đều trống → không xác minh được chuỗi 5 năm 2021–2025"),
    "F14": ("BK-TTG", "not-eligible", "BK-BỘ (2020), 5 năm HTTNV nhưng chỉ 2 lần CSTĐCS (2022, 2024), cần 3"),
    "F15": ("TTLĐXS", "not-eligible", "15 thành viên, LĐTT 8 (+2 CSTĐCS = 10) < ⌈0,7 × 15⌉ = 11"),
    "F16": ("TTLĐXS", "not-eligible", "Chỉ 11/12 thành viên HTNV trở lên (1 bị kỷ luật)"),
    "F17": ("TTLĐTT", "not-eligible", "LĐTT 5/10 = đúng 50%, cần > 50%"),
    "F18": ("BK-BỘ", "not-eligible", "Tập thể: 2025 HTXSNV nhưng 2024 HTTNV/TTLĐTT: không có 2 năm HTXSNV hoặc TTLĐXS liên tục (TTLĐXS 2025 đạt)"),
}


# --------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------
JOBS = {
    "khoa": ["Giảng viên cao cấp", "Giảng viên chính", "Giảng viên"],
    "nc": ["Nghiên cứu viên cao cấp", "Nghiên cứu viên chính", "Nghiên cứu viên"],
    "vp": ["Chuyên viên cao cấp", "Chuyên viên chính", "Chuyên viên"],
}
TEACH_NORM = {"Giảng viên": 270, "Giảng viên chính": 290, "Giảng viên cao cấp": 310}
BIRTH_RANGE = {0: (1965, 1978), 1: (1970, 1988), 2: (1982, 1999)}  # by level

ACH = {
    "khoa": ["Đã có thành tích xuất sắc trong công tác giảng dạy và nghiên cứu khoa học năm 2025",
             "Đã có thành tích xuất sắc trong công tác giảng dạy, bồi dưỡng lý luận chính trị năm 2025",
             "Đã có thành tích xuất sắc trong biên soạn giáo trình, tài liệu học tập năm 2025",
             "Đã có thành tích xuất sắc trong đổi mới phương pháp giảng dạy năm học 2024 – 2025"],
    "nc": ["Đã có thành tích xuất sắc trong công tác nghiên cứu khoa học năm 2025",
           "Đã có thành tích xuất sắc trong thực hiện đề tài khoa học cấp bộ năm 2025",
           "Đã có thành tích xuất sắc trong tổng kết thực tiễn, nghiên cứu lý luận năm 2025"],
    "vp": ["Đã có thành tích xuất sắc trong công tác tham mưu, phục vụ năm 2025",
           "Đã có thành tích xuất sắc trong thực hiện nhiệm vụ chuyên môn năm 2025",
           "Đã có thành tích xuất sắc trong công tác hành chính, tổng hợp năm 2025"],
}
ACH_BKBO = "Đã có thành tích xuất sắc trong công tác hai năm liên tục 2024 – 2025"
ACH_LONG = ("Đã có thành tích xuất sắc trong công tác từ năm 2021 đến năm 2025, góp phần "
            "vào sự nghiệp xây dựng chủ nghĩa xã hội và bảo vệ Tổ quốc")


class Person:
    def __init__(self, unit):
        self.unit = unit
        self.id = None          # plant id, e.g. "F03"
        self.kind = None
        self.name = self.sex = self.birth = None
        self.pos = None
        self.job = None
        self.sub = None
        self.subkind = None
        self.rating = {}        # year -> code (2021..2025)
        self.title = {}         # year -> code or None (2021..2024)
        self.known = {}         # year -> bool (False: both cells empty)
        self.prior = []         # [(award, year)]
        self.hours = None
        self.research = None
        self.initiative = None
        self.months = 12
        self.discipline = None
        self.p_title = None
        self.p_award = None
        self.ach = None
        self.note = None
        self.level = None
        self.row = None


def birth_for(level, sex):
    lo, hi = BIRTH_RANGE[level]
    if sex == "Nữ":
        lo = max(lo, 1970)
    y = rng.randint(lo, hi)
    return dt.date(y, 1, 1) + dt.timedelta(days=rng.randrange(365))


def ordinary_history(p, allow_cst=True, start=2021):
    for y in range(2021, 2025):
        if y < start:
            p.known[y] = False
            p.rating[y] = None
            p.title[y] = None
            continue
        p.known[y] = True
        x = rng.random()
        r = "HTXSNV" if x < 0.14 else ("HTNV" if x > 0.93 else "HTTNV")
        p.rating[y] = r
        if r == "HTNV":
            p.title[y] = None
        elif r == "HTXSNV" and allow_cst and rng.random() < 0.5:
            p.title[y] = "CSTĐCS"
        else:
            p.title[y] = "LĐTT" if rng.random() < 0.92 else None


def set_history(p, ratings, titles):
    for i, y in enumerate(range(2021, 2025)):
        p.rating[y] = ratings[i]
        p.title[y] = titles[i]
        p.known[y] = not (ratings[i] is None and titles[i] is None)


def ordinary_prior(p, bk_max=2021, gk_max=2023):
    x = rng.random()
    out = []
    if x < 0.45:
        return out
    if x < 0.8:
        out.append(("GK", rng.randint(2016, gk_max)))
    elif x < 0.92:
        out.append(("BK-BỘ", rng.randint(2012, bk_max)))
    else:
        g = rng.randint(2016, gk_max)
        b = rng.randint(2012, bk_max)
        out += [("GK", g), ("BK-BỘ", b)]
    out.sort(key=lambda t: -t[1])
    return out


def build_unit_people(u):
    subs = u["subs"]
    people = []
    # positions pool: head, deputy, one head per sub-unit, one deputy (first sub)
    pos_pool = []
    for sname, skind in subs:
        pos_pool.append((u["pos"][skind][0], sname, skind))
    pos_pool.append((u["pos"][subs[0][1]][1], subs[0][0], subs[0][1]))
    if u["size"] >= 17:
        pos_pool.append((u["pos"][subs[1][1]][1], subs[1][0], subs[1][1]))

    specials = list(u["special"])
    n_ord = u["size"] - len(specials)
    assert n_ord >= 0
    entries = specials + [("ldtt", {})] * n_ord
    lead_kind = "khoa" if any(k == "khoa" for _, k in subs) else "vp"
    for kind, hints in entries:
        p = Person(u)
        p.kind = kind
        p.id = hints.get("id")
        p.sex = hints.get("sex") or ("Nữ" if rng.random() < 0.5 else "Nam")
        p.name = claim_name(hints["name"]) if "name" in hints else new_name(p.sex)
        pos = hints.get("pos")
        if pos == "head":
            p.pos = u["pos"]["head"]
            p.sub, p.subkind = None, lead_kind
            p.level = 0
        elif pos == "deputy":
            p.pos = u["pos"]["deputy"]
            p.sub, p.subkind = None, lead_kind
            p.level = rng.choice([0, 1])
        else:
            # which sub-unit
            need_khoa = kind in ("gk_only",)
            need_vp = kind in ("F03", "F04")
            cands = [s for s in subs if (not need_khoa or s[1] == "khoa") and (not need_vp or s[1] == "vp")]
            if not cands:
                cands = subs
            sname, skind = rng.choice(cands)
            p.sub, p.subkind = sname, skind
            p.level = rng.choice([0, 1, 1, 2, 2])
            if kind in ("bkttg", "hcld3", "bkbo_a", "bkbo_b", "F09", "F10", "F11", "F13", "F14"):
                p.level = rng.choice([0, 1])
            if kind in ("F03", "F04", "m6", "m8"):
                p.level = 2
        p.p_title = hints.get("prop_title")
        people.append(p)

    # hand out sub-unit head/deputy positions to ordinary people of the right sub-unit
    for posname, sname, skind in pos_pool:
        cands = [p for p in people if p.pos is None and p.sub == sname and p.id is None
                 and p.kind in ("ldtt", "gk", "cstdcs", "bkbo_a", "bkbo_b")]
        if cands:
            q = rng.choice(cands)
            q.pos = posname
            q.level = min(q.level, 1)

    for p in people:
        # job title
        if p.subkind == "vp" and p.level == 2 and rng.random() < 0.3 and p.kind in ("ldtt", "gk"):
            p.job = "Nhân viên"
        else:
            p.job = JOBS[p.subkind][p.level]
        if p.pos in ("Viện trưởng",) and u["code"] in ("VTH", "VKT", "VLS", "VXD", "VNN", "VQH"):
            p.job = rng.choice(["Giảng viên cao cấp", "Nghiên cứu viên cao cấp"])
        if u["code"] == "KV1" and p.pos in ("Giám đốc", "Phó Giám đốc"):
            p.job = "Giảng viên cao cấp"
        p.birth = birth_for(p.level if p.job != "Nhân viên" else 2, p.sex)
        if p.kind in ("F03", "F04"):
            p.birth = dt.date(rng.randint(1998, 2001), rng.randint(1, 12), rng.randint(1, 28))
        if p.kind == "maternity":
            p.birth = dt.date(rng.randint(1990, 1995), rng.randint(1, 12), rng.randint(1, 28))
        # history start for young people
        start = 2021
        if p.birth.year >= 1996:
            start = rng.randint(2021, 2024)
        fill_kind(p, start)
    return people


def fill_kind(p, start):
    k = p.kind
    if k in ("ldtt", "gk", "gk_only", "typst", "m6", "m8", "maternity", "transfer", "cstdcs", "F01",
             "F02", "F05", "F06", "F07", "F08", "F12"):
        ordinary_history(p, start=start)
        p.prior = [(a, y) for a, y in ordinary_prior(p) if y >= p.birth.year + 24]
    if k in ("ldtt", "m6", "m8", "maternity", "transfer", "F01", "F02", "F05"):
        p.p_title = "LĐTT"
    if k == "gk":
        p.p_title, p.p_award = "LĐTT", "GK"
    if k == "typst":
        p.p_title, p.p_award = "LĐTT", "GK"
        p.ach = TYPST_ACHIEVEMENT
        p.rating[Y] = "HTTNV"
    if k == "gk_only":
        p.p_award = "GK"
        p.rating[Y] = "HTTNV"
    if k in ("cstdcs", "F06", "F07", "F08"):
        p.p_title = "CSTĐCS"
    if k == "m6":
        p.months = 6
        p.note = "Tuyển dụng từ ngày 01/7/2025"
        set_history(p, [None] * 4, [None] * 4)
    if k == "m8":
        p.months = 8
        p.note = "Tiếp nhận từ ngày 01/5/2025"
        set_history(p, [None] * 4, [None] * 4)
    if k == "maternity":
        p.note = "Nghỉ thai sản từ tháng 02/2025 đến tháng 7/2025"
    if k == "transfer":
        p.note = "Điều động từ Viện Quan hệ quốc tế về Viện từ tháng 01/2025"
    if k == "bkbo_a":
        p.p_title, p.p_award = "CSTĐCS", "BK-BỘ"
        r = [rng.choice(["HTTNV", "HTXSNV"]) for _ in range(4)]
        r[2] = "HTTNV"
        t = ["LĐTT" if x else None for x in r]
        t[0] = rng.choice(["LĐTT", "CSTĐCS"]) if r[0] == "HTXSNV" else "LĐTT"
        t[1] = "LĐTT"
        t[2] = "LĐTT"
        t[3] = "CSTĐCS"
        set_history(p, r, t)
        p.prior = ordinary_prior(p, bk_max=2020, gk_max=2022)
        p.ach = ACH_BKBO
    if k == "bkbo_b":
        p.p_title, p.p_award = "LĐTT", "BK-BỘ"
        r = ["HTTNV", rng.choice(["HTTNV", "HTXSNV"]), "HTXSNV", rng.choice(["HTTNV", "HTXSNV"])]
        set_history(p, r, ["LĐTT", "LĐTT", "CSTĐCS", "CSTĐCS"])
        p.prior = ordinary_prior(p, bk_max=2020, gk_max=2022)
        p.ach = "Đã có thành tích xuất sắc trong công tác hai năm liên tục 2023 – 2024"
    if k == "bkttg":
        p.p_title, p.p_award = "LĐTT", "BK-TTG"
        set_history(p, ["HTXSNV", "HTXSNV", "HTTNV", "HTXSNV"], ["CSTĐCS", "CSTĐCS", "LĐTT", "CSTĐCS"])
        p.prior = [("BK-BỘ", 2020), ("GK", 2016)]
        p.ach = ACH_LONG
    if k == "hcld3":
        p.p_award = "HCLĐ3"
        set_history(p, ["HTXSNV", "HTXSNV", "HTTNV", "HTXSNV"], ["CSTĐCS", "CSTĐCS", "LĐTT", "CSTĐCS"])
        p.prior = [("BK-TTG", 2020), ("BK-BỘ", 2014), ("GK", 2011)]
        p.ach = ACH_LONG
    # ---- planted failures ----
    if k == "F01":
        p.rating[Y] = "HTNV"
    if k == "F02":
        p.rating[Y] = "KHTNV"
    if k == "F03":
        p.p_title = "LĐTT"
        p.months = 4
        p.rating[Y] = "HTTNV"
        p.note = "Tuyển dụng từ ngày 01/9/2025"
        set_history(p, [None] * 4, [None] * 4)
        p.prior = []
    if k == "F04":
        p.p_title = "CSTĐCS"
        p.months = 5
        p.rating[Y] = "HTTNV"
        p.initiative = "needed"
        p.note = "Tuyển dụng từ ngày 01/8/2025"
        set_history(p, [None] * 4, [None] * 4)
        p.prior = []
    if k == "F05":
        p.rating[Y] = "HTTNV"
        p.discipline = "Khiển trách"
    if k == "F06":
        p.rating[Y] = "HTXSNV"
        p.note = "đang xem xét kỷ luật"
    if k in ("F07", "F08"):
        p.rating[Y] = "HTTNV"
        p.initiative = "none"
    if k == "F09":
        p.p_title, p.p_award = "CSTĐCS", "BK-BỘ"
        p.rating[Y] = "HTTNV"
        p.initiative = "needed"
        set_history(p, ["HTTNV", "HTTNV", "HTXSNV", "HTTNV"], ["LĐTT", "LĐTT", "CSTĐCS", "LĐTT"])
        p.prior = [("GK", 2021)]
        p.ach = ACH_BKBO
    if k == "F10":
        p.p_title, p.p_award = "CSTĐCS", "BK-BỘ"
        p.rating[Y] = "HTTNV"
        p.initiative = "none"
        set_history(p, ["HTTNV", "HTXSNV", "HTTNV", "HTTNV"], ["LĐTT", "CSTĐCS", "LĐTT", "CSTĐCS"])
        p.prior = [("GK", 2022)]
        p.ach = ACH_BKBO
    if k == "F11":
        p.p_title, p.p_award = "LĐTT", "BK-BỘ"
        p.rating[Y] = "HTTNV"
        set_history(p, ["HTTNV"] * 4, ["LĐTT"] * 4)
        p.prior = [("GK", 2023)]
        p.ach = ACH_BKBO
    if k == "F12":
        p.p_title, p.p_award = None, "GK"
        p.rating[Y] = "HTNV"
        p.ach = "Đã có thành tích trong công tác năm 2025"
    if k == "F13":
        p.p_title, p.p_award = "LĐTT", "BK-TTG"
        p.rating[Y] = "HTTNV"
        set_history(p, [None, "HTTNV", "HTXSNV", "HTXSNV"], [None, "CSTĐCS", "CSTĐCS", "CSTĐCS"])
        p.prior = [("BK-BỘ", 2020)]
        p.ach = ACH_LONG
    if k == "F14":
        p.p_title, p.p_award = "LĐTT", "BK-TTG"
        p.rating[Y] = "HTTNV"
        set_history(p, ["HTTNV", "HTXSNV", "HTTNV", "HTXSNV"], ["LĐTT", "CSTĐCS", "LĐTT", "CSTĐCS"])
        p.prior = [("BK-BỘ", 2020)]
        p.ach = ACH_LONG


def finish_unit(u, people):
    """2025 ratings (HTXSNV target per unit), initiatives, numbers, texts."""
    fixed_xs = sum(1 for p in people if p.rating.get(Y) == "HTXSNV")
    left = u["nxs"] - fixed_xs
    # HTXSNV first to CSTĐCS proposers (list order), then to LĐTT people
    free = [p for p in people if Y not in p.rating]
    cst = [p for p in free if p.p_title == "CSTĐCS"]
    others = [p for p in free if p.p_title != "CSTĐCS" and p.kind in ("ldtt", "gk", "hcld3", "bkttg", "bkbo_b")]
    for p in cst + others:
        if left <= 0:
            break
        p.rating[Y] = "HTXSNV"
        left -= 1
    assert left == 0, (u["code"], left)
    for p in people:
        p.rating.setdefault(Y, "HTTNV")
    topics = list(TOPICS[u["code"]])
    rng.shuffle(topics)

    def initiative():
        t = topics.pop()
        if rng.random() < 0.7:
            return "Sáng kiến cấp cơ sở năm 2025: " + t
        return "Đề tài khoa học cấp cơ sở năm 2025, nghiệm thu loại Tốt: " + t

    for p in people:
        if p.initiative == "none":
            p.initiative = None
        elif p.initiative == "needed":
            p.initiative = initiative()
        elif p.p_title == "CSTĐCS" and p.rating[Y] != "HTXSNV":
            p.initiative = initiative()
    extra = [p for p in people if p.initiative is None and p.id is None and p.kind in ("ldtt", "gk")]
    for p in rng.sample(extra, min(2, len(extra), len(topics))):
        p.initiative = initiative()

    for p in people:
        title_proposer = p.p_title is not None
        if p.job in TEACH_NORM:
            norm = TEACH_NORM[p.job]
            if title_proposer or p.kind != "gk_only":
                h = rng.randint(norm, 420)
            else:
                h = rng.randint(200, norm - 8)
            if h < 420 and rng.random() < 0.3:
                h = h + 0.5
            p.hours = h
        if p.job.startswith("Giảng viên") or p.job.startswith("Nghiên cứu viên"):
            if p.kind == "gk_only":
                p.research = rng.choice([0, 0.5])
            else:
                p.research = rng.choice([1, 1.25, 1.5, 2, 2.5, 3])
        elif u["code"] not in ("BTC", "VPHV") and rng.random() < 0.5:
            p.research = 0
        if p.p_award and not p.ach:
            p.ach = rng.choice(ACH[p.subkind])
        if p.p_title == "CSTĐCS" and not p.p_award and not p.ach and rng.random() < 0.5:
            p.ach = rng.choice(ACH[p.subkind])

    # order: head, deputies, then by sub-unit, heads of sub-unit first
    sub_idx = {s: i for i, (s, _) in enumerate(u["subs"])}
    heads = set(v[0] for k, v in u["pos"].items() if isinstance(v, tuple))
    deps = set(v[1] for k, v in u["pos"].items() if isinstance(v, tuple))

    def key(p):
        if p.pos == u["pos"]["head"]:
            return (0, 0, 0, 0)
        if p.pos == u["pos"]["deputy"]:
            return (1, 0, 0, 0)
        return (2, sub_idx[p.sub], 0 if p.pos in heads else (1 if p.pos in deps else 2), p._tie)

    for p in people:
        p._tie = rng.random()
    people.sort(key=key)
    for i, p in enumerate(people):
        p.row = FIRST_DATA_ROW + i


# --------------------------------------------------------------------------
# Row values
# --------------------------------------------------------------------------
def rating_text(u, code):
    if code is None:
        return None
    return RATING_WORDS[code] if u["rating_words"] else code


def prior_text(prior):
    if not prior:
        return None
    return "; ".join(f"{a} ({y})" for a, y in prior)


def person_row(u, p, stt):
    birth = p.birth.strftime("%d/%m/%Y") if u["text_dates"] else p.birth
    vals = [stt, p.name, birth, p.sex, p.pos, p.job, p.sub,
            rating_text(u, p.rating[Y])]
    for y in (2024, 2023, 2022, 2021):
        vals.append(rating_text(u, p.rating.get(y)))
    for y in (2024, 2023, 2022, 2021):
        vals.append(p.title.get(y))
    vals += [prior_text(p.prior), p.hours, p.research, p.initiative, p.months,
             p.discipline, p.p_title, p.p_award, p.ach, p.note]
    assert len(vals) == len(IND_HEADERS)
    return [nfc(v) if isinstance(v, str) else v for v in vals]


def collective_row(u, c, stt):
    vals = [stt, c["name"], c["m"], c["ht"], c["ld"], c["cs"], c["kl"],
            rating_text(u, c["r25"]), rating_text(u, c["r24"]), c["t24"],
            c.get("title"), c.get("award"), c.get("ach"), c.get("note")]
    assert len(vals) == len(COL_HEADERS)
    return [nfc(v) if isinstance(v, str) else v for v in vals]


def info_rows(u, preparer, head, made):
    return [("Tên đơn vị", u["name"]), ("Mã đơn vị", u["code"]), ("Năm xét", Y),
            ("Tổng số cán bộ", u["headcount"]), ("Người lập", preparer),
            ("Ngày lập", made), ("Thủ trưởng đơn vị", head)]


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------
def write_openpyxl(path, info, ind, col):
    wb = openpyxl.Workbook()
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(name="Times New Roman", bold=True, size=12)
    normal = Font(name="Times New Roman", size=12)
    title_font = Font(name="Times New Roman", bold=True, size=14)
    fill = PatternFill("solid", fgColor="D9E1F2")

    ws = wb.active
    ws.title = "Thông tin đơn vị"
    for r, (lab, val) in enumerate(info, 1):
        a = ws.cell(row=r, column=1, value=lab)
        a.font = bold
        b = ws.cell(row=r, column=2, value=val)
        b.font = normal
        b.alignment = Alignment(horizontal="left")
        if isinstance(val, dt.date):
            b.number_format = "dd/mm/yyyy"
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 44

    for sheet, title, headers, widths, rows in (
            ("Cá nhân", IND_TITLE, IND_HEADERS, IND_WIDTHS, ind),
            ("Tập thể", COL_TITLE, COL_HEADERS, COL_WIDTHS, col)):
        ws = wb.create_sheet(sheet)
        ws.cell(row=1, column=1, value=title).font = title_font
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        ws.row_dimensions[1].height = 24
        for c, h in enumerate(headers, 1):
            cell = ws.cell(row=HEADER_ROW, column=c, value=h)
            cell.font = bold
            cell.fill = fill
            cell.border = border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            ws.column_dimensions[get_column_letter(c)].width = widths[c - 1]
        ws.row_dimensions[HEADER_ROW].height = 48
        for i, row in enumerate(rows):
            r = FIRST_DATA_ROW + i
            for c, v in enumerate(row, 1):
                cell = ws.cell(row=r, column=c, value=v)
                cell.font = normal
                cell.border = border
                cell.alignment = Alignment(vertical="top", wrap_text=isinstance(v, str) and len(v) > 20)
                if isinstance(v, dt.date):
                    cell.number_format = "dd/mm/yyyy"
        ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=3)
    wb.properties.creator = "tdkt samples/generate.py"
    wb.save(path)


def write_xlsxwriter(path, info, ind, col):
    wb = xlsxwriter.Workbook(path)
    base = {"font_name": "Times New Roman", "font_size": 12}
    f_bold = wb.add_format(dict(base, bold=True))
    f_norm = wb.add_format(dict(base, align="left"))
    f_date_info = wb.add_format(dict(base, align="left", num_format="dd/mm/yyyy"))
    f_title = wb.add_format(dict(base, bold=True, font_size=14, align="center", valign="vcenter"))
    f_head = wb.add_format(dict(base, bold=True, border=1, align="center", valign="vcenter",
                                text_wrap=True, bg_color="#D9E1F2"))
    f_cell = wb.add_format(dict(base, border=1, valign="top"))
    f_wrap = wb.add_format(dict(base, border=1, valign="top", text_wrap=True))
    f_date = wb.add_format(dict(base, border=1, valign="top", num_format="dd/mm/yyyy"))

    ws = wb.add_worksheet("Thông tin đơn vị")
    for r, (lab, val) in enumerate(info):
        ws.write_string(r, 0, lab, f_bold)
        if isinstance(val, dt.date):
            ws.write_datetime(r, 1, dt.datetime.combine(val, dt.time()), f_date_info)
        elif isinstance(val, (int, float)):
            ws.write_number(r, 1, val, f_norm)
        else:
            ws.write_string(r, 1, val, f_norm)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 44)

    for sheet, title, headers, widths, rows in (
            ("Cá nhân", IND_TITLE, IND_HEADERS, IND_WIDTHS, ind),
            ("Tập thể", COL_TITLE, COL_HEADERS, COL_WIDTHS, col)):
        ws = wb.add_worksheet(sheet)
        ws.merge_range(0, 0, 0, len(headers) - 1, title, f_title)
        ws.set_row(0, 24)
        ws.set_row(HEADER_ROW - 1, 48)
        for c, h in enumerate(headers):
            ws.write_string(HEADER_ROW - 1, c, h, f_head)
            ws.set_column(c, c, widths[c])
        for i, row in enumerate(rows):
            r = FIRST_DATA_ROW - 1 + i
            for c, v in enumerate(row):
                if v is None:
                    ws.write_blank(r, c, None, f_cell)
                elif isinstance(v, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), f_date)
                elif isinstance(v, (int, float)):
                    ws.write_number(r, c, v, f_cell)
                else:
                    ws.write_string(r, c, v, f_wrap if len(v) > 20 else f_cell)
        ws.freeze_panes(FIRST_DATA_ROW - 1, 2)
    wb.set_properties({"author": "tdkt samples/generate.py",
                       "created": dt.datetime(2025, 12, 20, 8, 0, 0)})
    wb.close()


def normalise_zip(path):
    """Fixed zip entry dates and document timestamps: byte-identical reruns."""
    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            if name == "docProps/core.xml":
                s = data.decode("utf-8")
                s = re.sub(r"(<dcterms:created[^>]*>)[^<]*(</dcterms:created>)", r"\g<1>" + FIXED_TS + r"\2", s)
                s = re.sub(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", r"\g<1>" + FIXED_TS + r"\2", s)
                data = s.encode("utf-8")
            zi = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data)
    with open(path, "wb") as f:
        f.write(buf.getvalue())


# --------------------------------------------------------------------------
# Independent check: read the files back and apply the rules
# --------------------------------------------------------------------------
WORDS_TO_CODE = {nfc(v).lower(): k for k, v in RATING_WORDS.items()}


def parse_rating(v):
    if v is None:
        return None
    s = nfc(str(v)).strip()
    if s in RANK:
        return s
    return WORDS_TO_CODE[s.lower()]


def read_back(path):
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Thông tin đơn vị", "Cá nhân", "Tập thể"], wb.sheetnames
    info = {wb["Thông tin đơn vị"].cell(r, 1).value: wb["Thông tin đơn vị"].cell(r, 2).value
            for r in range(1, 8)}
    out = {"info": info}
    for sheet, headers in (("Cá nhân", IND_HEADERS), ("Tập thể", COL_HEADERS)):
        ws = wb[sheet]
        got = [ws.cell(HEADER_ROW, c).value for c in range(1, len(headers) + 1)]
        assert got == headers, (path, sheet, got)
        assert ws.cell(HEADER_ROW, 1).font.bold
        assert ws.cell(HEADER_ROW - 1, 1).value is None
        rows = []
        for r in range(FIRST_DATA_ROW, ws.max_row + 1):
            vals = [ws.cell(r, c).value for c in range(1, len(headers) + 1)]
            if all(v is None for v in vals):
                continue
            d = dict(zip(headers, vals))
            d["_row"] = r
            rows.append(d)
        out[sheet] = rows
    return out


def eval_person(d):
    """Verdicts {proposal: status} for one individual row, by domain.md."""
    r = {y: parse_rating(d[f"Xếp loại năm {y}"]) for y in range(2021, 2026)}
    t = {y: d[f"Danh hiệu năm {y}"] for y in range(2021, 2025)}
    known = {y: not (r[y] is None and t[y] is None) for y in range(2021, 2025)}
    known[Y] = True
    note = " ".join(str(d[k]) for k in ("Ghi chú", "Kỷ luật") if d[k])
    held = any(w in note for w in ("đang xem xét kỷ luật", "đang bị thanh tra", "đang điều tra",
                                   "đang giải quyết khiếu nại"))
    prior = [(a, int(y)) for a, y in re.findall(r"([A-ZĐỘ0-9-]+) \((\d{4})\)", d["Khen thưởng đã nhận"] or "")]
    months = d["Số tháng công tác"] if d["Số tháng công tác"] is not None else 12
    disc = d["Kỷ luật"] not in (None, "", "Không")
    ldtt = RANK[r[Y]] >= 2 and months >= 6 and not disc
    cst = ldtt and (r[Y] == "HTXSNV" or bool(d["Sáng kiến"]))
    cst_this = d["Danh hiệu đề nghị"] == "CSTĐCS" and cst
    out = {}

    def chain(prereq, need_xs):
        xs = [y for a, y in prior if a == prereq]
        if not xs:
            return "not-eligible"
        x = max(xs)
        n, y, xs_seen = 0, Y, False
        cst_years = []
        while y > x and n < 5:
            if not known.get(y, False):
                return "cannot-verify"
            if RANK[r[y]] < 2:
                return "not-eligible"
            xs_seen |= r[y] == "HTXSNV"
            if (y < Y and t[y] == "CSTĐCS") or (y == Y and cst_this):
                cst_years.append(y)
            n += 1
            y -= 1
        if n < 5 or len(cst_years) < 3 or (need_xs and not xs_seen):
            return "not-eligible"
        return "eligible"

    for prop in (d["Danh hiệu đề nghị"], d["Hình thức khen thưởng đề nghị"]):
        if prop is None:
            continue
        if held:
            out[prop] = "held"
            continue
        if prop == "LĐTT":
            ok = ldtt
        elif prop == "CSTĐCS":
            ok = cst
        elif prop == "GK":
            ok = RANK[r[Y]] >= 2
        elif prop == "BK-BỘ":
            ok = (t[2024] == "CSTĐCS" and cst_this) or (t[2023] == "CSTĐCS" and t[2024] == "CSTĐCS")
        elif prop == "BK-TTG":
            out[prop] = chain("BK-BỘ", False)
            continue
        elif prop == "HCLĐ3":
            out[prop] = chain("BK-TTG", True)
            continue
        else:
            raise ValueError(prop)
        out[prop] = "eligible" if ok else "not-eligible"
    return out


def eval_collective(d):
    m, ht, ld, cs = (d["Số thành viên"], d["Số hoàn thành nhiệm vụ trở lên"], d["Số đạt LĐTT"],
                     d["Số đạt CSTĐCS"])
    assert 0 <= cs <= ld <= ht <= m and ht + d["Số bị kỷ luật"] <= m
    r25, r24 = parse_rating(d["Xếp loại năm 2025"]), parse_rating(d["Xếp loại năm 2024"])
    xs_ok = r25 == "HTXSNV" and ht == m and ld >= math.ceil(0.7 * m) and cs >= 1
    # also hold if the tool counted LĐTT exclusive of CSTĐCS (robust data)
    out = {}
    for prop in (d["Danh hiệu đề nghị"], d["Hình thức khen thưởng đề nghị"]):
        if prop is None:
            continue
        if prop == "TTLĐXS":
            ok = xs_ok
        elif prop == "TTLĐTT":
            ok = RANK[r25] >= 2 and ld * 2 > m
        elif prop == "BK-BỘ":
            ok = (r25 == "HTXSNV" and r24 == "HTXSNV") or (d["Danh hiệu năm 2024"] == "TTLĐXS" and xs_ok)
        else:
            raise ValueError(prop)
        out[prop] = "eligible" if ok else "not-eligible"
    return out


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------
def main():
    # Only what this script owns is replaced; tdkt.toml and anything else the
    # developer keeps in the campaign folder survives a rerun.
    if os.path.isdir(INBOX):
        shutil.rmtree(INBOX)
    os.makedirs(INBOX)

    # units.csv
    with open(os.path.join(OUT, "units.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("code,name,aliases\n")
        for u in UNITS:
            q = lambda s: '"' + nfc(s).replace('"', '""') + '"'
            f.write(f"{u['code']},{q(u['name'])},{q(u['aliases'])}\n")

    all_people = {}
    for u in UNITS:
        people = build_unit_people(u)
        finish_unit(u, people)
        all_people[u["code"]] = people

    expected = {}   # (file, sheet, row, proposal) -> status
    plant_rows = []  # (id, file, sheet, row, name, proposal, status, why)
    for u in UNITS:
        people = all_people[u["code"]]
        head = next(p for p in people if p.pos == u["pos"]["head"]).name
        preparer = new_name(rng.choice(["Nam", "Nữ"]))
        made = dt.date(2025, 12, rng.randint(16, 24))
        info = info_rows(u, preparer, head, made)
        ind = [person_row(u, p, i + 1) for i, p in enumerate(people)]
        col = [collective_row(u, c, i + 1) for i, c in enumerate(u["collectives"])]
        path = os.path.join(INBOX, u["file"])
        (write_openpyxl if u["producer"] == "openpyxl" else write_xlsxwriter)(path, info, ind, col)
        normalise_zip(path)
        for p in people:
            if p.id:
                ids = [p.id] + ([p.id + "b"] if p.id + "b" in PLANT_WHY else [])
                for pid in ids:
                    prop, status, why = PLANT_WHY[pid]
                    expected[(u["file"], "Cá nhân", p.row, prop)] = status
                    plant_rows.append((pid, u["file"], "Cá nhân", p.row, p.name, prop, status, why))
        for i, c in enumerate(u["collectives"]):
            if c.get("id"):
                prop, status, why = PLANT_WHY[c["id"]]
                row = FIRST_DATA_ROW + i
                expected[(u["file"], "Tập thể", row, prop)] = status
                plant_rows.append((c["id"], u["file"], "Tập thể", row, c["name"], prop, status, why))

    with open(os.path.join(INBOX, "ghi-chu.txt"), "w", encoding="utf-8") as f:
        f.write(nfc(
            "Ghi chú của Thường trực Hội đồng Thi đua – Khen thưởng (đợt xét năm 2025)\n"
            "\n"
            "- Đã nhận hồ sơ của 9 đơn vị; Viện Chủ nghĩa xã hội khoa học xin gửi chậm,\n"
            "  dự kiến ngày 26/12/2025.\n"
            "- Các đơn vị gửi kèm bản giấy có chữ ký của Thủ trưởng đơn vị và đóng dấu.\n"
            "- Tệp này chỉ là ghi chú, không phải danh sách đề nghị khen thưởng.\n"))

    # ---------------- self-check ----------------
    print("Đọc lại và kiểm tra ...")
    got = {}
    rows_per_unit = OrderedDict()
    prop_count = Counter()
    total_ind = 0
    quota_lines = []
    for u in UNITS:
        wbd = read_back(os.path.join(INBOX, u["file"]))
        info = wbd["info"]
        assert info["Tên đơn vị"] == u["name"] and info["Mã đơn vị"] == u["code"]
        assert info["Năm xét"] == Y and isinstance(info["Năm xét"], int)
        assert info["Tổng số cán bộ"] > len(wbd["Cá nhân"])
        assert isinstance(info["Ngày lập"], dt.datetime)
        ind, col = wbd["Cá nhân"], wbd["Tập thể"]
        assert len(ind) == u["size"] and 12 <= len(ind) <= 22
        assert 1 <= len(col) <= 3
        total_ind += len(ind)
        rows_per_unit[u["code"]] = (u["file"], u["producer"], len(ind), len(col))
        for d in ind:
            assert d["STT"] == d["_row"] - FIRST_DATA_ROW + 1
            b = d["Ngày sinh"]
            if u["text_dates"]:
                assert isinstance(b, str) and re.fullmatch(r"\d\d/\d\d/\d{4}", b), b
            else:
                assert isinstance(b, dt.datetime), b
            for v in d.values():
                if isinstance(v, str):
                    assert v == nfc(v)
            assert d["Giới tính"] in ("Nam", "Nữ")
            assert d["Danh hiệu đề nghị"] or d["Hình thức khen thưởng đề nghị"]
            if d["Hình thức khen thưởng đề nghị"]:
                assert d["Tóm tắt thành tích"]
            for prop, st in eval_person(d).items():
                got[(u["file"], "Cá nhân", d["_row"], prop)] = st
                prop_count[prop] += 1
            # title proposers meet the TT 01/2018 teaching norms
            if d["Danh hiệu đề nghị"] and d["Chức danh"] in TEACH_NORM:
                assert d["Giờ giảng thực hiện"] >= TEACH_NORM[d["Chức danh"]]
                assert d["Điểm NCKH"] >= 1
        for d in col:
            for prop, st in eval_collective(d).items():
                got[(u["file"], "Tập thể", d["_row"], prop)] = st
                prop_count["tập thể " + prop] += 1
        # rating quota
        ratings = [parse_rating(d["Xếp loại năm 2025"]) for d in ind]
        xs, tt = ratings.count("HTXSNV"), ratings.count("HTTNV")
        allowed = math.floor(0.2 * (xs + tt))
        allowed_strict = math.floor(0.2 * tt)
        ok = xs <= allowed
        if u["code"] == "VQH":
            assert not ok
        else:
            assert ok and xs <= allowed_strict, (u["code"], xs, tt)
        quota_lines.append((u["code"], xs, tt, allowed, ok))

    assert 140 <= total_ind <= 160, total_ind
    bad = {k: v for k, v in got.items() if v != "eligible"}
    if bad != expected:
        print("MISMATCH")
        for k in sorted(set(bad) | set(expected)):
            if bad.get(k) != expected.get(k):
                print("  ", k, "got", bad.get(k), "expected", expected.get(k))
        sys.exit(1)

    # ---------------- summary ----------------
    print(f"\nThư mục: {OUT}")
    print(f"{'đơn vị':6} {'tệp':34} {'thư viện':10} {'cá nhân':>7} {'tập thể':>7}")
    for code, (f, prod, ni, nc) in rows_per_unit.items():
        print(f"{code:6} {f:34} {prod:10} {ni:7} {nc:7}")
    print(f"{'':6} {'tổng':34} {'':10} {total_ind:7} {sum(v[3] for v in rows_per_unit.values()):7}")
    print("\nSố đề nghị theo loại:")
    for k, v in sorted(prop_count.items()):
        print(f"  {k:16} {v}")
    print("\nTỷ lệ HTXSNV (cho phép = ⌊20% × (HTXSNV + HTTNV)⌋):")
    for code, xs, tt, allowed, ok in quota_lines:
        print(f"  {code:5} HTXSNV {xs}  HTTNV {tt}  cho phép {allowed}  {'đạt' if ok else 'VƯỢT'}")
    print(f"\nĐề nghị cài sẵn để không đạt ({len(plant_rows)}), dòng tiêu đề = {HEADER_ROW}:")
    for pid, f, sh, row, name, prop, st, why in sorted(plant_rows):
        print(f"  {pid:4} {f:34} {sh:8} dòng {row:3}  {name:45} {prop:7} {st:14} {why}")

    # ---------------- EXPECTED.md ----------------
    lines = [
        "# hvctqg-2025 — expected results",
        "",
        "Generated by `samples/generate.py` (do not edit by hand). Campaign year 2025, "
        f"header on row {HEADER_ROW} of `Cá nhân` and `Tập thể`, data from row {FIRST_DATA_ROW}. "
        "Row numbers are as Excel shows them.",
        "",
        "## Planted proposals that must not be granted",
        "",
        "| id | file | sheet | row | name | proposal | status | why |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for pid, f, sh, row, name, prop, st, why in sorted(plant_rows):
        lines.append(f"| {pid} | {f} | {sh} | {row} | {name} | {prop} | {st} | {why} |")
    lines += [
        "",
        "Every other proposal in the inbox is built to be `eligible` "
        f"({sum(1 for v in got.values() if v == 'eligible')} eligible verdicts, "
        f"{len(bad)} not).",
        "",
        "## Unit level",
        "",
        "| unit | HTXSNV | HTTNV | allowed ⌊20% × (HTXSNV+HTTNV)⌋ | ok |",
        "|---|---|---|---|---|",
    ]
    for code, xs, tt, allowed, ok in quota_lines:
        lines.append(f"| {code} | {xs} | {tt} | {allowed} | {'yes' if ok else '**no**'} |")
    typ = next(p for p in all_people["VQH"] if p.kind == "typst")
    m6 = next(p for p in all_people["KV1"] if p.kind == "m6")
    m8 = next(p for p in all_people["VTH"] if p.kind == "m8")
    lines += [
        "",
        "## Other things the tool must do",
        "",
        "- `inbox/ghi-chu.txt` is not a spreadsheet: skip it with a warning.",
        "- Birth dates are text `dd/mm/yyyy` in `vien-nha-nuoc-va-phap-luat.xlsx` and "
        "`van-phong-hoc-vien.xlsx`; date cells elsewhere.",
        "- Ratings are full words (\"Hoàn thành tốt nhiệm vụ\") in `vien-lich-su-dang.xlsx`.",
        f"- Boundary passes: {m6.name} (hvct-kv1.xlsx row {m6.row}, 6 months) and "
        f"{m8.name} (vien-triet-hoc.xlsx row {m8.row}, 8 months) are eligible for LĐTT.",
        f"- {typ.name} (vien-quan-he-quoc-te.xlsx row {typ.row}, GK, eligible): her "
        "Tóm tắt thành tích holds Typst markup characters and must be printed verbatim:",
        "",
        "  ```",
        "  " + TYPST_ACHIEVEMENT,
        "  ```",
        "",
    ]
    with open(os.path.join(OUT, "EXPECTED.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print("\nOK: tất cả kiểm tra đều đạt.")


if __name__ == "__main__":
    main()
