//! The `tdkt` command line: flags become `Settings`, a command runs the
//! pipeline, and the exit code is decided once, at the end (contracts.md).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use tdkt::pipeline;
use tdkt::register::SignOutcome;
use tdkt::settings::{Flags, Settings};

#[derive(Parser)]
#[command(
    name = "tdkt",
    version,
    about = "tdkt — Thi đua, Khen thưởng: đọc hồ sơ đề nghị của các đơn vị, xét theo quy định, \
             lập quyết định, tờ trình, báo cáo và in bằng khen, giấy khen.",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Tạo thư mục đợt xét mới: tdkt.toml, quy định, mẫu văn bản, thư mục hồ sơ trống.
    Init {
        /// Thư mục sẽ tạo.
        #[arg(value_name = "THƯ_MỤC")]
        dir: PathBuf,
    },
    /// Ghi biểu mẫu đề nghị khen thưởng (.xlsx) để gửi các đơn vị điền.
    Form {
        /// Tệp sẽ ghi (mặc định: bieu-mau-de-nghi-khen-thuong.xlsx).
        #[arg(long, value_name = "TỆP")]
        out: Option<PathBuf>,
        /// Ghi năm vào tiêu đề các cột (Xếp loại năm 2025 …).
        #[arg(long, value_name = "NĂM")]
        year: Option<i32>,
        /// Lấy danh sách danh hiệu, hình thức khen thưởng từ tệp quy định này.
        #[arg(long, value_name = "TỆP")]
        regulation: Option<PathBuf>,
    },
    /// Chỉ đọc hồ sơ và cho biết đã đọc được gì (bảng dễ đọc, hoặc JSON với --json).
    Inspect(ReadArgs),
    /// Đọc hồ sơ và xét theo quy định; báo từng lỗi theo tệp, trang, ô.
    Check(ReadArgs),
    /// Làm trọn đợt xét: phản hồi cho đơn vị, báo cáo, dự thảo quyết định, tờ trình, bằng khen.
    Build {
        #[command(flatten)]
        read: ReadArgs,
        /// Thư mục kết quả (mặc định: theo tdkt.toml, hoặc output/).
        #[arg(long, value_name = "THƯ_MỤC")]
        out: Option<PathBuf>,
    },
    /// Liệt kê các quyết định của đợt xét: mã, khen gì, dự thảo hay đã ký, số, ngày, số người.
    Decisions {
        #[command(flatten)]
        campaign: CampaignArgs,
        /// In kết quả dạng JSON.
        #[arg(long)]
        json: bool,
    },
    /// Ký ban hành một dự thảo quyết định: cấp số (số tiếp theo của năm nếu không ghi --number) và ngày.
    Sign {
        /// Mã quyết định, như tdkt decisions liệt kê (ví dụ bk-bo).
        #[arg(value_name = "MÃ")]
        id: String,
        #[command(flatten)]
        campaign: CampaignArgs,
        /// Số quyết định.
        #[arg(long, value_name = "SỐ")]
        number: Option<u32>,
        /// Ngày ký, dạng YYYY-MM-DD (mặc định: decision_date trong tdkt.toml).
        #[arg(long, value_name = "NGÀY")]
        date: Option<chrono::NaiveDate>,
    },
    /// Nhập danh sách khen thưởng các năm trước (tệp Excel) vào sổ khen thưởng.
    Import {
        /// Tệp Excel có các cột Họ và tên, Ngày sinh, Đơn vị, Danh hiệu, Năm, Quyết định số, Ngày ký.
        #[arg(value_name = "TỆP")]
        file: PathBuf,
        #[command(flatten)]
        campaign: CampaignArgs,
    },
    /// Liệt kê những người có trong sổ khen thưởng (mã, họ tên, ngày sinh, đơn vị, số lượt khen).
    People {
        #[command(flatten)]
        campaign: CampaignArgs,
        /// Chỉ những người có tên chứa chữ này (không phân biệt hoa thường, dấu).
        #[arg(long, value_name = "TÊN", default_value = "")]
        find: String,
        /// In kết quả dạng JSON.
        #[arg(long)]
        json: bool,
    },
    /// Ghi nhận hai mã người trong sổ là cùng một người (ví dụ tên gõ khác nhau giữa các năm).
    MergePeople {
        /// Mã người giữ lại.
        #[arg(value_name = "MÃ_GIỮ")]
        keep: i64,
        /// Mã người gộp vào.
        #[arg(value_name = "MÃ_GỘP")]
        other: i64,
        #[command(flatten)]
        campaign: CampaignArgs,
    },
    /// Bỏ một lần gộp: mã người này lại là một người riêng.
    SplitPerson {
        /// Mã người đã gộp.
        #[arg(value_name = "MÃ")]
        id: i64,
        #[command(flatten)]
        campaign: CampaignArgs,
    },
    /// Mở ứng dụng web của đợt xét: tổng quan, tải hồ sơ lên, dựng, ký, xác minh (mặc định chỉ trên máy này).
    Serve {
        #[command(flatten)]
        campaign: CampaignArgs,
        /// Địa chỉ và cổng (mặc định 127.0.0.1:8080); địa chỉ khác máy này cần có người dùng (tdkt user add).
        #[arg(long, value_name = "ĐỊA_CHỈ:CỔNG")]
        bind: Option<std::net::SocketAddr>,
    },
    /// Quản lý người dùng ứng dụng web: thêm (hoặc đổi mật khẩu), xóa, liệt kê.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// (Nội bộ) đọc một bảng tính trong tiến trình riêng, có giới hạn bộ nhớ và thời gian.
    #[command(name = "read-worker", hide = true)]
    ReadWorker {
        #[arg(long)]
        limits: String,
    },
    /// Xác minh một bằng khen, giấy khen (tệp PDF hoặc số sổ vàng) với sổ khen thưởng.
    Verify {
        /// Tệp PDF của bằng, hoặc số sổ vàng (ví dụ 2026-05-012).
        #[arg(value_name = "TỆP_HOẶC_SỐ")]
        target: String,
        #[command(flatten)]
        campaign: CampaignArgs,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Thêm người dùng, hoặc đặt lại mật khẩu và vai trò; mật khẩu đọc từ bàn phím (hoặc một dòng ở đầu vào chuẩn).
    Add {
        /// Tên đăng nhập.
        #[arg(value_name = "TÊN")]
        name: String,
        /// Vai trò: clerk (Thường trực, làm được mọi việc) hoặc mã một đơn vị (chỉ đơn vị đó).
        #[arg(long, value_name = "VAI_TRÒ")]
        role: String,
        #[command(flatten)]
        campaign: CampaignArgs,
    },
    /// Xóa người dùng.
    Remove {
        #[arg(value_name = "TÊN")]
        name: String,
        #[command(flatten)]
        campaign: CampaignArgs,
    },
    /// Liệt kê người dùng.
    List {
        #[command(flatten)]
        campaign: CampaignArgs,
    },
}

/// What every command that reads workbooks takes besides its folder.
#[derive(Args)]
struct SourceArgs {
    /// Năm xét.
    #[arg(long, value_name = "NĂM")]
    year: Option<i32>,
    /// Danh sách đơn vị (.csv hoặc .xlsx với các cột code, name, aliases).
    #[arg(long, value_name = "TỆP")]
    units: Option<PathBuf>,
    /// Tệp quy định xét (mặc định: quy định quốc gia hiện hành).
    #[arg(long, value_name = "TỆP")]
    regulation: Option<PathBuf>,
}

impl SourceArgs {
    fn flags(&self, input: Option<PathBuf>, out: Option<PathBuf>) -> Flags {
        Flags {
            input,
            out,
            year: self.year,
            units: self.units.clone(),
            regulation: self.regulation.clone(),
            isolation: tdkt::ingest::Isolation::current_exe(),
        }
    }
}

#[derive(Args)]
struct CampaignArgs {
    /// Thư mục đợt xét (có tdkt.toml); mặc định thư mục hiện tại.
    #[arg(value_name = "ĐỢT_XÉT")]
    campaign: Option<PathBuf>,
    #[command(flatten)]
    source: SourceArgs,
}

impl CampaignArgs {
    fn settings(&self) -> anyhow::Result<Settings> {
        Settings::resolve(&self.source.flags(self.campaign.clone(), None))
    }
}

#[derive(Args)]
struct ReadArgs {
    /// Thư mục đợt xét (có tdkt.toml) hoặc thư mục chứa các tệp Excel.
    #[arg(value_name = "THƯ_MỤC")]
    input: Option<PathBuf>,
    /// In kết quả dạng JSON (cho chương trình khác đọc).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    source: SourceArgs,
}

impl ReadArgs {
    fn flags(&self, out: Option<PathBuf>) -> Flags {
        self.source.flags(self.input.clone(), out)
    }
}

/// mimalloc rather than glibc's malloc: typesetting allocates and frees
/// small objects by the million on every thread, and glibc's cost grows
/// with its heap (a sixth of a build's time at 80,000 proposals). Measured
/// (BENCHMARKS.md): user time −15% at 20,000 proposals, −12% at 80,000,
/// the same peak memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Transparent huge pages off, for this process and the readers it
    // starts: mimalloc asks for them on its arenas (MADV_HUGEPAGE), and
    // every first touch of one then zeroes and keeps 2 MiB, however little
    // of it is used. Measured (BENCHMARKS.md): the 20,000 build 245 → 195
    // MiB and 0.6 s less system time, the 80,000 one 370 → 318 MiB. Where
    // the kernel refuses, nothing changes but that.
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let matches = localise(Cli::command()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    if let Command::ReadWorker { limits } = &cli.command {
        return ExitCode::from(tdkt::ingest::isolate::serve(limits));
    }
    tdkt::render::set_up_threads();
    // A panic still possible anywhere is a bug of tdkt's: one Vietnamese
    // line and exit 2 (contracts.md), never Rust's 101. The hook only
    // remembers where; panics caught on the way (a workbook's reader) say
    // nothing, and one that reaches here is said once.
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(place);
        }
    }));
    match std::panic::catch_unwind(|| run(cli.command)) {
        Ok(Ok(code)) => ExitCode::from(code),
        Ok(Err(error)) => {
            eprintln!("lỗi: {}", printable(&format!("{error:#}")));
            ExitCode::from(2)
        }
        Err(_) => {
            let place = LAST_PANIC
                .lock()
                .ok()
                .and_then(|mut last| last.take())
                .unwrap_or_default();
            eprintln!(
                "lỗi: tdkt gặp lỗi nội bộ và phải dừng ({place}); không có tệp kết quả nào bị ghi dở. \
                 Hãy gửi thông báo này cho người quản trị."
            );
            ExitCode::from(2)
        }
    }
}

/// Where the last panic happened, for the one line `main` prints.
static LAST_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Text that may hold what a workbook or a file name said, made safe for
/// the terminal.
/// Prints `value` as pretty JSON on standard output, written as it is
/// serialized: a ministry's `check --json` is a hundred megabytes.
fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

fn printable(text: &str) -> String {
    tdkt::text::printable(text)
}

const HELP_TEMPLATE: &str = "{about-with-newline}\nCách dùng: {usage}\n\n{all-args}{after-help}";

/// `--help` in plain Vietnamese: headings, the help and version flags, for
/// every subcommand.
fn localise(command: clap::Command) -> clap::Command {
    let is_top = command.get_name() == "tdkt";
    let mut command = command
        .help_template(HELP_TEMPLATE)
        .subcommand_help_heading("Lệnh")
        .subcommand_value_name("LỆNH")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(
            clap::Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("In hướng dẫn này"),
        );
    if is_top {
        command = command.arg(
            clap::Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("In số phiên bản"),
        );
    }
    command
        .mut_args(|arg| {
            let heading = if arg.is_positional() {
                "Tham số"
            } else {
                "Tùy chọn"
            };
            arg.help_heading(heading)
        })
        .mut_subcommands(localise)
}

/// `tdkt user`: the web application's users, kept in the register.
fn user(action: UserAction) -> anyhow::Result<u8> {
    use tdkt::register::{Register, Role};
    match action {
        UserAction::Add {
            name,
            role,
            campaign,
        } => {
            let name = name.trim().to_string();
            if name.is_empty() || name.chars().any(|c| c.is_control() || c == ':') {
                anyhow::bail!(
                    "Tên đăng nhập không được trống, không chứa dấu ':' hay ký tự điều khiển"
                );
            }
            let settings = campaign.settings()?;
            let role = Role::parse(&role);
            if let (Role::Unit(code), Some(units)) = (&role, &settings.units)
                && !units.units().iter().any(|u| &u.code == code)
            {
                anyhow::bail!(
                    "Vai trò '{code}' không phải clerk, cũng không phải mã đơn vị trong danh sách đơn vị"
                );
            }
            let password = read_password()?;
            if password.chars().count() < 8 {
                anyhow::bail!("Mật khẩu cần ít nhất 8 ký tự");
            }
            let hash = tdkt::serve::hash_password(&password)?;
            let mut register = Register::open(&settings.register.path)?;
            register.put_web_user(&name, &hash, &role)?;
            register.audit(
                "tdkt user",
                "người dùng",
                &format!(
                    "Thêm hoặc đổi mật khẩu người dùng {name} ({})",
                    role.as_text()
                ),
            )?;
            println!("Đã lưu người dùng {name} (vai trò {}).", role.as_text());
            Ok(0)
        }
        UserAction::Remove { name, campaign } => {
            let settings = campaign.settings()?;
            let mut register = Register::open(&settings.register.path)?;
            if register.remove_web_user(&name)? {
                register.audit("tdkt user", "người dùng", &format!("Xóa người dùng {name}"))?;
                println!("Đã xóa người dùng {name}.");
                Ok(0)
            } else {
                eprintln!("Không có người dùng {name}.");
                Ok(1)
            }
        }
        UserAction::List { campaign } => {
            let settings = campaign.settings()?;
            if settings.register.path.is_file() {
                for user in Register::snapshot(&settings.register.path)?.web_users()? {
                    println!(
                        "{:<20} {:<10} tạo {}",
                        user.name,
                        user.role.as_text(),
                        user.created
                    );
                }
            }
            Ok(0)
        }
    }
}

/// The new password: asked without echo on a terminal, else the first
/// line of standard input (for scripts).
fn read_password() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Mật khẩu: ")?;
        let again = rpassword::prompt_password("Nhập lại mật khẩu: ")?;
        if first != again {
            anyhow::bail!("Hai lần nhập mật khẩu không giống nhau");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

fn run(command: Command) -> anyhow::Result<u8> {
    match command {
        Command::Init { dir } => {
            tdkt::init::init(&dir)?;
            eprintln!(
                "Đã tạo đợt xét mới ở {}: sửa tdkt.toml, đặt hồ sơ vào inbox/, rồi chạy tdkt build {}",
                dir.display(),
                dir.display()
            );
            Ok(0)
        }
        Command::Form {
            out,
            year,
            regulation,
        } => {
            let regulation = match regulation {
                Some(path) => tdkt::regulation::Regulation::load(&path)?,
                None => tdkt::regulation::Regulation::default_national()?,
            };
            let out = out.unwrap_or_else(|| PathBuf::from("bieu-mau-de-nghi-khen-thuong.xlsx"));
            let bytes = tdkt::form::blank_form(&regulation, year)?;
            tdkt::write::write_atomic(&out, &bytes)?;
            eprintln!("Đã ghi biểu mẫu {}", out.display());
            Ok(0)
        }
        Command::Inspect(args) => {
            let settings = Settings::resolve(&args.flags(None))?;
            let reading = pipeline::read(&settings)?;
            if args.json {
                let json = pipeline::InspectJson {
                    workbooks: &reading.submissions,
                    diagnostics: &reading.diagnostics,
                };
                print_json(&json)?;
            } else {
                print!(
                    "{}",
                    printable(&pipeline::inspect_table(&reading, &settings.regulation))
                );
            }
            Ok(u8::from(reading.diagnostics.iter().any(|d| d.is_error())))
        }
        Command::Check(args) => {
            let settings = Settings::resolve(&args.flags(None))?;
            let checked = pipeline::check(&settings)?;
            if args.json {
                print_json(&checked.json())?;
            } else {
                print!(
                    "{}",
                    printable(&pipeline::human_report(
                        &checked,
                        &checked.records(),
                        &settings.regulation
                    ))
                );
            }
            Ok(u8::from(checked.has_errors()))
        }
        Command::Build { read, out } => {
            let settings = Settings::resolve(&read.flags(out))?;
            let started = std::time::Instant::now();
            let built = if read.json {
                pipeline::build(&settings, &tdkt::progress::Silent)?
            } else {
                pipeline::build(&settings, &tdkt::progress::Terminal::new())?
            };
            let checked = &built.checked;
            if read.json {
                print_json(&built.json())?;
            } else {
                print!(
                    "{}",
                    printable(&pipeline::human_report(
                        checked,
                        &*built.records(),
                        &settings.regulation
                    ))
                );
            }
            let (decisions, submissions) = (built.decisions, built.submissions);
            eprintln!(
                "Xong trong {} giây: {} tệp trong {} ({decisions} dự thảo quyết định, {submissions} tờ trình, báo cáo, bằng khen/giấy khen, phản hồi cho đơn vị).",
                tdkt::progress::seconds_vi(started.elapsed()),
                built.files,
                built.output.display(),
            );
            Ok(u8::from(checked.has_errors()))
        }
        Command::Decisions { campaign, json } => {
            let decisions = pipeline::decisions(&campaign.settings()?)?;
            if json {
                let json = serde_json::json!({ "decisions": decisions });
                print_json(&json)?;
            } else {
                for d in &decisions {
                    let state = match (&d.document_number, d.date) {
                        (Some(number), Some(date)) => {
                            format!("đã ký số {number} ngày {}", date.format("%d/%m/%Y"))
                        }
                        _ => "dự thảo".to_string(),
                    };
                    println!(
                        "{:<12} {:<10} {:>5} người  {state}",
                        d.id, d.grants, d.count
                    );
                }
            }
            Ok(0)
        }
        Command::Sign {
            id,
            campaign,
            number,
            date,
        } => match pipeline::sign(&campaign.settings()?, &id, number, date)? {
            SignOutcome::Signed {
                document_number, ..
            } => {
                println!(
                    "Đã ký quyết định {id}: số {document_number}. Chạy tdkt build để in bản chính thức."
                );
                Ok(0)
            }
            SignOutcome::Refused(reason) => {
                eprintln!("Không ký: {reason}");
                Ok(1)
            }
        },
        Command::Import { file, campaign } => {
            let (added, skipped, problems) = pipeline::import(&campaign.settings()?, &file)?;
            for problem in &problems {
                eprintln!("{}", printable(&tdkt::diagnostic::human_line(problem)));
            }
            println!(
                "Đã nhập {added} lượt khen thưởng vào sổ ({skipped} lượt đã có, bỏ qua; {} dòng lỗi).",
                problems.len()
            );
            Ok(u8::from(!problems.is_empty()))
        }
        Command::People {
            campaign,
            find,
            json,
        } => {
            let people = pipeline::people(&campaign.settings()?, &find)?;
            if json {
                let json = serde_json::json!({ "people": people });
                print_json(&json)?;
            } else {
                for p in &people {
                    let merged = p
                        .merged_into
                        .map(|m| format!("  (cùng người với mã {m})"))
                        .unwrap_or_default();
                    println!(
                        "{:>6}  {:<28} {:<11} {:<12} {} lượt{merged}",
                        p.id, p.full_name, p.birth, p.unit_code, p.grants
                    );
                }
            }
            Ok(0)
        }
        Command::MergePeople {
            keep,
            other,
            campaign,
        } => match pipeline::merge_people(&campaign.settings()?, keep, other)? {
            Ok(()) => {
                println!("Đã ghi nhận mã {other} là cùng một người với mã {keep}.");
                Ok(0)
            }
            Err(reason) => {
                eprintln!("Không gộp: {reason}");
                Ok(1)
            }
        },
        Command::SplitPerson { id, campaign } => {
            match pipeline::split_person(&campaign.settings()?, id)? {
                Ok(into) => {
                    println!("Mã {id} không còn là cùng một người với mã {into}.");
                    Ok(0)
                }
                Err(reason) => {
                    eprintln!("Không tách: {reason}");
                    Ok(1)
                }
            }
        }
        Command::ReadWorker { .. } => Ok(2),
        Command::Serve { campaign, bind } => {
            let bind = match bind {
                Some(bind) => bind,
                None => tdkt::serve::DEFAULT_BIND.parse()?,
            };
            tdkt::serve::serve(campaign.settings()?, bind)?;
            Ok(0)
        }
        Command::User { action } => user(action),
        Command::Verify { target, campaign } => {
            match pipeline::verify(&campaign.settings()?, &target)? {
                pipeline::Verification::Genuine(record) => {
                    println!(
                        "Đúng sổ: số sổ vàng {}, {} ({}), {}, Quyết định số {} ngày {}",
                        record.register_number,
                        record.name,
                        record.unit_name,
                        record.honour,
                        record.document_number,
                        record.date.format("%d/%m/%Y")
                    );
                    Ok(0)
                }
                pipeline::Verification::NotGenuine(reasons) => {
                    println!("KHÔNG khớp sổ khen thưởng:");
                    for reason in reasons {
                        println!("  - {reason}");
                    }
                    Ok(1)
                }
            }
        }
    }
}
