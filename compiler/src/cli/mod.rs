//! The command line: parse arguments, run one command, print, exit.
//! Exit codes: 0 ok, 1 invalid site (or differences), 2 usage or I/O error.

mod diff;
mod explain;
mod fmt;
mod import;
mod init_ca;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

pub use report::{Format, print_diagnostics};

#[derive(Parser)]
#[command(name = "bosun", version, about = "Compile one site.kdl into every artifact an on-prem GPU cluster needs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a site and print every diagnostic.
    Check {
        site: PathBuf,
        #[command(flatten)]
        diag: DiagArgs,
    },
    /// Validate a site, then render every artifact into the output folder.
    Compile {
        site: PathBuf,
        /// Output folder.
        #[arg(short, long, default_value = "out")]
        output: PathBuf,
        /// Overwrite files in the output folder that bosun did not write.
        #[arg(long)]
        force: bool,
        /// Render in memory and compare with the output folder; write nothing.
        /// Exit 0 when the folder is up to date, 1 when compiling would change it.
        #[arg(long, conflicts_with = "force")]
        check: bool,
        /// With --check: how to print the review of what would change.
        #[command(flatten)]
        review: diff::FormatArg,
        /// Print how long each stage took to stderr.
        #[arg(long)]
        timings: bool,
        #[command(flatten)]
        diag: DiagArgs,
    },
    /// Review the change between two compiled folders: a summary with the
    /// blast radius, then each file's diff (YAML compared as resources).
    /// Exit 0 when they mean the same, 1 when they differ.
    Diff(diff::Args),
    /// Print the site language's JSON Schema.
    Schema,
    /// Rewrite every file of a site in canonical layout, keeping comments.
    Fmt(fmt::Args),
    /// Turn a Nauta or DeepOps configuration into a site.kdl.
    #[command(subcommand)]
    Import(import::Args),
    /// Show a host's, pool's, team's or pack's derived facts and output files.
    Explain(explain::Args),
    /// List the built-in packs with their pinned charts.
    Packs,
    /// Create the cluster CA, bootstrap token and certificate key once: the
    /// certificate for the site, the rest into a join-values file.
    InitCa(init_ca::Args),
}

#[derive(clap::Args)]
struct DiagArgs {
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
    /// Treat warnings as errors.
    #[arg(long)]
    deny_warnings: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum MessageFormat {
    Human,
    Json,
    Github,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check { site, diag } => check(&site, &diag),
        Command::Compile { site, output, force, check, review, timings, diag } => {
            let mut timings = crate::timings::Timings::new(timings);
            let code = compile(&site, &output, force, check.then_some(&review), &diag, &mut timings);
            eprint!("{}", timings.report());
            code
        }
        Command::Diff(args) => diff::run(&args),
        Command::Schema => {
            print!("{}", crate::structure::schema::SCHEMA_TEXT);
            0
        }
        Command::Fmt(args) => fmt::run(&args.site, args.check),
        Command::Import(args) => import::run(args),
        Command::Explain(args) => explain::run(&args),
        Command::InitCa(args) => init_ca::run(&args),
        Command::Packs => {
            print!("{}", packs_table());
            0
        }
    };
    ExitCode::from(code)
}

fn format(args: &DiagArgs) -> Format {
    match args.message_format {
        MessageFormat::Human => Format::human_for_terminal(),
        MessageFormat::Json => Format::Json,
        MessageFormat::Github => Format::Github,
    }
}

/// 1 when the site has errors (or warnings under --deny-warnings).
fn verdict(checked: &crate::Checked, args: &DiagArgs) -> u8 {
    let warned = checked.diagnostics.iter().any(|d| d.severity() == crate::diag::Severity::Warning);
    u8::from(checked.has_errors() || (args.deny_warnings && warned))
}

fn check(site: &std::path::Path, args: &DiagArgs) -> u8 {
    match crate::check(site) {
        Ok(checked) => {
            print_diagnostics(&checked, format(args));
            verdict(&checked, args)
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

/// `check` holds the review format when only comparing.
fn compile(
    site: &std::path::Path,
    output: &std::path::Path,
    force: bool,
    check: Option<&diff::FormatArg>,
    args: &DiagArgs,
    timings: &mut crate::timings::Timings,
) -> u8 {
    let (checked, tree) = match crate::compile_timed(site, timings) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    print_diagnostics(&checked, format(args));
    let (Some(tree), 0) = (tree, verdict(&checked, args)) else {
        return 1;
    };
    if let Some(format) = check {
        let code = compare(output, &tree, format);
        timings.lap("compare");
        return code;
    }
    let written = crate::write::commit(output, &tree, force);
    timings.lap("write");
    // The process ends here: freeing hundreds of MiB piece by piece would
    // only delay the exit the kernel makes anyway.
    std::mem::forget((tree, checked));
    match written {
        Ok(r) => {
            eprintln!(
                "compiled {} into {}: {} written, {} unchanged, {} removed",
                site.display(),
                output.display(),
                r.written,
                r.unchanged,
                r.removed
            );
            0
        }
        Err(e) => {
            eprintln!("error[{}]: {e}", e.code());
            2
        }
    }
}

/// `compile --check`: the exit code says whether compiling would change
/// any file; stdout has the review of how.
fn compare(output: &std::path::Path, tree: &crate::write::Tree, format: &diff::FormatArg) -> u8 {
    match diff::check(output, tree, format) {
        Err(code) => code,
        Ok(0) => {
            eprintln!("{} is up to date", output.display());
            0
        }
        Ok(changed) => {
            eprintln!("{}: {changed} file(s) would change", output.display());
            1
        }
    }
}

/// `bosun packs`: name, chart version, chart, namespace, one line.
fn packs_table() -> String {
    let rows: Vec<[String; 4]> = crate::packs::BUILTIN
        .iter()
        .map(|p| {
            let chart = match p.chart {
                crate::packs::Chart::Repo { url, name, .. } => format!("{url} {name}"),
                crate::packs::Chart::Oci { url, name, .. } => format!("{url}/{name}"),
            };
            [p.name.to_string(), p.chart.version().to_string(), p.namespace.to_string(), chart]
        })
        .collect();
    let header = ["PACK", "VERSION", "NAMESPACE", "CHART"].map(str::to_string);
    let mut widths = [0usize; 4];
    for r in std::iter::once(&header).chain(&rows) {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.len());
        }
    }
    let mut out = String::new();
    for r in std::iter::once(&header).chain(&rows) {
        let line = format!(
            "{:w0$}  {:w1$}  {:w2$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
