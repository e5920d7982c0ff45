//! `cohortlab run`: the whole study from a settings file (or from the
//! design guessed from the data), written into a folder.

use std::path::{Path, PathBuf};

use super::failure::Failure;
use super::input::{parse_conf_level, parse_delimiter, read_bytes, read_options};
use super::output::write_file;
use crate::engine::data::{self, Dataset, DatasetSpec, RawTable};
use crate::engine::design::{guess_design, DesignGuess};
use crate::engine::AnalysisError;
use crate::report::design::{design_text, guessed_settings};
use crate::report::filename::unique_stems;
use crate::report::study::{report_html, run_study, StudyOutputs, StudySettings};

/// The options of `run`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// A CSV/TSV file or a spreadsheet, as for the other commands.
    file: PathBuf,
    /// The settings (JSON): the page's "Save settings", or
    /// tests/data/example-study.settings.json. Without it the design
    /// is guessed from the data (as `cohortlab guess` prints it), run,
    /// and written as settings.json; the report lists it first.
    #[arg(long, value_name = "SETTINGS.json")]
    spec: Option<PathBuf>,
    /// The folder to write into (created if needed).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The sheet of a workbook (default: the first with data).
    #[arg(long)]
    sheet: Option<String>,
    /// The field separator: `,` `;` `|` or `tab` (default: detected).
    #[arg(long, value_parser = parse_delimiter)]
    delimiter: Option<u8>,
    /// The confidence level of every interval of the study, between 0 and
    /// 1 (default: the settings' `conf_level`, 0.95 unless set).
    #[arg(long, value_name = "LEVEL", value_parser = parse_conf_level)]
    conf_level: Option<f64>,
}

fn read_settings(spec: &Path) -> Result<StudySettings, Failure> {
    let text = std::fs::read_to_string(spec)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", spec.display())))?;
    StudySettings::from_json(&text).map_err(|m| {
        Failure::new(
            format!("{}: {m}", spec.display()),
            "Save the settings again from the page's Report step.",
        )
    })
}

/// The design guessed from the file, as settings; an error when no
/// column looks like the groups compared.
fn guessed(raw: &RawTable) -> Result<(StudySettings, DesignGuess), Failure> {
    let ds = Dataset::build(raw, &DatasetSpec::default())
        .map_err(|e| Failure::from(AnalysisError::from(e)))?;
    let guess = guess_design(&ds);
    if guess.treatment.is_none() {
        return Err(Failure::new(
            "no column looks like the groups compared (a binary column named like group, treatment, arm, exposure or cohort), so the study cannot be guessed",
            "Open the file in the page, choose the groups compared on the Data step and save the settings, then run again with --spec SETTINGS.json (`cohortlab guess FILE` shows what was recognised).",
        ));
    }
    Ok((guessed_settings(&guess), guess))
}

/// Runs the study and writes its files into `--out`.
pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let given = args.spec.as_deref().map(read_settings).transpose()?;
    let bytes = read_bytes(&args.file)?;
    let raw = data::read(&bytes, &read_options(args.sheet, args.delimiter))
        .map_err(|e| Failure::from(AnalysisError::from(e)))?;
    let name = args
        .file
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
    let (mut settings, design) = match given {
        Some(s) => (s, None),
        None => {
            let (s, g) = guessed(&raw)?;
            print!("{}", design_text(&g));
            (s, Some(g))
        }
    };
    if let Some(level) = args.conf_level {
        settings.conf_level = level;
    }
    let settings = settings.levelled();
    let study = study(&raw, &name, &settings, design)?;
    write_study(&args.out, &study, &settings)
}

/// The study of `raw` under `settings`, the guessed design (if any) in its
/// results and report: the engine's study steps
/// ([`crate::engine::study::run_study`]) presented by the report.
fn study(
    raw: &RawTable,
    name: &str,
    settings: &StudySettings,
    design: Option<DesignGuess>,
) -> Result<StudyOutputs, Failure> {
    let mut study =
        run_study(raw, name, settings).map_err(|e| Failure::new(e.to_string(), e.hint()))?;
    if design.is_some() {
        study.results.design = design;
        study.report_html = report_html(&study.results, &study.tables, &study.figures);
    }
    Ok(study)
}

/// report.html, results.json, settings.json, tables/*.csv, figures/*.svg
/// and matched.csv into `out`, then what was written on stdout.
fn write_study(out: &Path, study: &StudyOutputs, settings: &StudySettings) -> Result<(), Failure> {
    write_file(&out.join("report.html"), &study.report_html)?;
    write_file(&out.join("results.json"), &study.results_json())?;
    write_file(&out.join("settings.json"), &settings.to_json())?;
    // File names made from data (columns, outcomes) are sanitised and
    // made unique, so nothing is written outside --out.
    let stems = unique_stems(study.tables.iter().map(|(n, _)| n.as_str()));
    for (stem, (_, t)) in stems.iter().zip(&study.tables) {
        write_file(&out.join("tables").join(format!("{stem}.csv")), &t.to_csv())?;
    }
    let stems = unique_stems(study.figures.iter().map(|(n, _)| n.as_str()));
    for (stem, (_, svg)) in stems.iter().zip(&study.figures) {
        write_file(&out.join("figures").join(format!("{stem}.svg")), svg)?;
    }
    if let Some(csv) = &study.matched_csv {
        write_file(&out.join("matched.csv"), csv)?;
    }
    for d in &study.results.diagnostics {
        println!("note: {}", d.message);
    }
    println!(
        "wrote {} (report.html, results.json, {} tables, {} figures{})",
        out.display(),
        study.tables.len(),
        study.figures.len(),
        if study.matched_csv.is_some() {
            ", matched.csv"
        } else {
            ""
        }
    );
    Ok(())
}
