//! `cohortlab`: the command-line tool. It runs the same engine as the page
//! on a file and prints text, or one JSON document with `--json`. Errors go
//! to stderr in words, with a hint, and a non-zero exit; never a panic.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    // A closed output pipe (`cohortlab ... | head`) ends the program as it
    // ends other command-line tools, instead of a panic on the next print.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of a signal at start-up,
    // before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    cli::main()
}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::path::PathBuf;
    use std::process::ExitCode;

    use clap::{Args, Parser, Subcommand};
    use cohortlab::engine::data::{
        self, Closed, ColumnKind, DatasetSpec, DerivedColumn, ReadOptions, Recode,
    };
    use cohortlab::report::inspect::Inspection;

    /// Retrospective cohort analysis (Table 1, matching, survival), offline.
    #[derive(Parser)]
    #[command(name = "cohortlab", version, about)]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Guess the study design from the columns' names and data: the
        /// groups compared, outcomes, follow-up time and event, baseline
        /// variables, and the columns never analysed, each with its reason.
        Guess {
            #[command(flatten)]
            input: Input,
            /// Print one JSON document (the guess and the settings it stands for).
            #[arg(long)]
            json: bool,
        },
        /// Show every column with its kind, missing count and levels or range.
        Inspect {
            #[command(flatten)]
            input: Input,
            /// Print one JSON document instead of a table.
            #[arg(long)]
            json: bool,
        },
        /// Table 1: baseline characteristics by group, with P values and SMD.
        Table1 {
            #[command(flatten)]
            input: Input,
            /// The grouping column (binary or categorical).
            #[arg(long)]
            group: String,
            /// The variables, comma-separated, in the order wanted.
            #[arg(long, value_delimiter = ',', required = true)]
            vars: Vec<String>,
            /// Continuous variables to show as median [IQR] and test by Mann-Whitney.
            #[arg(long, value_delimiter = ',')]
            nonnormal: Vec<String>,
            /// Numeric variables to summarise as continuous even when they
            /// have at most 5 whole-number values (shown as n (%) by default).
            #[arg(long, value_delimiter = ',')]
            continuous: Vec<String>,
            /// Test of categorical variables: auto (Pearson; Fisher when an
            /// expected count is < 5), pearson, yates, fisher, lr.
            #[arg(long, default_value = "auto")]
            categorical_test: String,
            /// Test of continuous variables: welch or student.
            #[arg(long, default_value = "welch")]
            continuous_test: String,
            /// Decimals of percentages, 0 to 6 (default 1).
            #[arg(long, default_value_t = 1,
                  value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=6))]
            percent_decimals: usize,
            /// Print one JSON document instead of a table.
            #[arg(long)]
            json: bool,
            /// Write the table as CSV to this file too.
            #[arg(long, value_name = "FILE")]
            csv: Option<PathBuf>,
        },
        /// Propensity-score matching (nearest neighbour, as MatchIt) and balance.
        Match {
            #[command(flatten)]
            input: Input,
            /// The treatment (group) column, binary.
            #[arg(long)]
            treatment: String,
            /// The level meaning treated (default: the non-reference level).
            #[arg(long)]
            treated_level: Option<String>,
            /// Covariates of the propensity model, comma-separated.
            #[arg(long, value_delimiter = ',', required = true)]
            covariates: Vec<String>,
            /// Enter this categorical covariate as an ordinal score (repeatable).
            #[arg(long, value_name = "VAR")]
            ordinal: Vec<String>,
            /// Controls per treated patient, 1 to 10.
            #[arg(long, default_value_t = 1)]
            ratio: usize,
            /// Caliper width in SDs of the distance (default 0.2), or `none`.
            #[arg(long, default_value = "0.2")]
            caliper: String,
            /// The caliper is in units of the distance, not SDs.
            #[arg(long)]
            caliper_absolute: bool,
            /// Match on (and measure the caliper on) the logit of the score or
            /// the score itself.
            #[arg(long, default_value = "logit")]
            caliper_scale: String,
            /// Order of the treated: largest, smallest, random, data.
            #[arg(long, default_value = "largest")]
            order: String,
            /// Seed of the random order.
            #[arg(long, default_value_t = 1)]
            seed: u64,
            /// Match with replacement.
            #[arg(long)]
            replace: bool,
            /// Match exactly on these categorical columns, comma-separated.
            #[arg(long, value_delimiter = ',')]
            exact: Vec<String>,
            /// Write the matched patients (all columns + distance, weights,
            /// subclass) to this CSV file.
            #[arg(long, value_name = "MATCHED.csv")]
            out: Option<PathBuf>,
            /// Also rerun the matching with N random orders and report how
            /// much the matched cohort (and --outcome's difference) varies.
            #[arg(long, value_name = "N",
                  value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(1..=10_000))]
            stability: Option<u64>,
            /// A binary outcome whose treated-minus-control rate difference
            /// is reported in the stability check.
            #[arg(long, value_name = "COL")]
            outcome: Option<String>,
            /// Print one JSON document instead of tables.
            #[arg(long)]
            json: bool,
        },
        /// Kaplan-Meier survival by group: landmark survival, medians,
        /// log-rank test (k groups and pairwise).
        Survival {
            #[command(flatten)]
            input: Input,
            #[command(flatten)]
            outcome: TimeToEvent,
            /// Group by one column, or by two crossed: COL or COL1,COL2.
            #[arg(long, value_delimiter = ',')]
            group: Vec<String>,
            /// Landmark times for survival with CI, comma-separated.
            #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
            at: Vec<f64>,
            /// Confidence interval transform: log (R), log-log (SAS), plain.
            #[arg(long, default_value = "log")]
            ci: String,
            /// Stratify the log-rank test by this column (e.g. matched set).
            #[arg(long)]
            strata: Option<String>,
            /// Fleming-Harrington rho of the test (0 log-rank, 1 Peto-Peto).
            #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
            rho: f64,
            /// Restricted mean survival time up to this time.
            #[arg(long, value_name = "TAU", allow_negative_numbers = true)]
            rmst: Option<f64>,
            /// Print one JSON document instead of tables.
            #[arg(long)]
            json: bool,
        },
        /// The whole study from a settings file (as saved by the page):
        /// writes report.html, results.json, tables/*.csv, figures/*.svg and
        /// matched.csv into --out.
        Run {
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
        },
        /// Cox proportional hazards regression: hazard ratios, 95% CIs, P.
        Cox {
            #[command(flatten)]
            input: Input,
            #[command(flatten)]
            outcome: TimeToEvent,
            /// Covariates, comma-separated.
            #[arg(long, value_delimiter = ',', required = true)]
            vars: Vec<String>,
            /// Treat these (numeric-looking) columns as categorical.
            #[arg(long, value_delimiter = ',')]
            categorical: Vec<String>,
            /// Enter this categorical covariate as an ordinal score (repeatable).
            #[arg(long, value_name = "VAR")]
            ordinal: Vec<String>,
            /// Tied event times: efron (R) or breslow (SPSS, SAS).
            #[arg(long, default_value = "efron")]
            ties: String,
            /// Robust SE clustered by this column (e.g. matched set `subclass`).
            #[arg(long)]
            cluster: Option<String>,
            /// Stratify the baseline hazard by this column.
            #[arg(long)]
            strata: Option<String>,
            /// Print one JSON document instead of a table.
            #[arg(long)]
            json: bool,
        },
        /// Logistic regression: odds ratios, 95% CIs and P values.
        Logistic {
            #[command(flatten)]
            input: Input,
            /// The binary outcome column.
            #[arg(long)]
            outcome: String,
            /// The outcome level counted as the event (default: the
            /// non-reference level, e.g. 1 or Yes).
            #[arg(long)]
            event: Option<String>,
            /// The variables, comma-separated.
            #[arg(long, value_delimiter = ',', required = true)]
            vars: Vec<String>,
            /// Only the univariate screen (each variable on its own).
            #[arg(long)]
            univariate: bool,
            /// Enter this categorical variable as an ordinal score 1, 2, ...
            /// (repeatable).
            #[arg(long, value_name = "VAR")]
            ordinal: Vec<String>,
            /// Put in the multivariable model only the variables whose
            /// univariate P is below this (default: all of --vars).
            #[arg(long, value_name = "P")]
            select_p: Option<f64>,
            /// Firth's penalised likelihood (as R's logistf): finite
            /// estimates under separation, profile penalised-likelihood CIs
            /// and penalised likelihood-ratio P values.
            #[arg(long)]
            firth: bool,
            /// Print one JSON document instead of a table.
            #[arg(long)]
            json: bool,
            /// Write the table as CSV to this file too.
            #[arg(long, value_name = "FILE")]
            csv: Option<PathBuf>,
        },
    }

    /// The time-to-event outcome: shared by `survival` and `cox`.
    #[derive(Args)]
    struct TimeToEvent {
        /// Follow-up time column (numeric, >= 0).
        #[arg(long)]
        time: String,
        /// Event column (0/1, 1/2 with 2 = event, or a binary column; any
        /// coding, e.g. 0/1/2, with --event-level).
        #[arg(long)]
        event: String,
        /// The level of --event meaning the event (default: the
        /// non-reference level). The lowest level is censored; any other
        /// level (e.g. 2 = competing event) is counted as censored, with a
        /// note.
        #[arg(long)]
        event_level: Option<String>,
    }

    /// How to read and type the file: shared by every subcommand.
    #[derive(Args)]
    struct Input {
        /// A CSV/TSV file (separator, encoding and decimal comma detected) or a
        /// spreadsheet (.xlsx, .xls, .xlsb, .ods).
        file: PathBuf,
        /// The sheet of a workbook (default: the first with data).
        #[arg(long)]
        sheet: Option<String>,
        /// The field separator: `,` `;` `|` or `tab` (default: detected).
        #[arg(long, value_parser = parse_delimiter)]
        delimiter: Option<u8>,
        /// Texts that mean missing, comma-separated (replaces the default
        /// list: empty, NA, N/A, ., NaN, null, -).
        #[arg(long, value_delimiter = ',')]
        missing: Option<Vec<String>>,
        /// The reference level of a categorical column: VAR=LEVEL (repeatable).
        #[arg(long = "ref", value_name = "VAR=LEVEL")]
        reference: Vec<String>,
        /// Override a column's kind: VAR=numeric|binary|categorical|text.
        #[arg(long, value_name = "VAR=KIND")]
        kind: Vec<String>,
        /// Cut a numeric column into a new one, cut points going to the lower
        /// group (`<= 50`): NEW=COLUMN:T1[,T2...] (repeatable).
        #[arg(long, value_name = "NEW=COLUMN:T1,...")]
        cut: Vec<String>,
        /// As --cut, cut points going to the upper group (`>= 20`).
        #[arg(long, value_name = "NEW=COLUMN:T1,...")]
        cut_left: Vec<String>,
        /// A dataset specification (JSON, as saved by the page) to start from.
        #[arg(long, value_name = "FILE")]
        dataset_spec: Option<PathBuf>,
    }

    fn parse_delimiter(s: &str) -> Result<u8, String> {
        match s {
            "tab" | "\\t" | "\t" => Ok(b'\t'),
            "," | ";" | "|" => Ok(s.as_bytes()[0]),
            _ => Err(format!("`{s}` is not a separator; use , ; | or tab")),
        }
    }

    /// An error for the terminal: what went wrong, and what to do.
    struct Failure {
        message: String,
        hint: Option<String>,
    }

    impl Failure {
        fn usage(message: String) -> Self {
            Self {
                message,
                hint: None,
            }
        }
    }

    impl From<cohortlab::engine::AnalysisError> for Failure {
        fn from(e: cohortlab::engine::AnalysisError) -> Self {
            Self {
                message: e.to_string(),
                hint: Some(e.hint()),
            }
        }
    }

    fn split_pair<'a>(arg: &'a str, flag: &str, form: &str) -> Result<(&'a str, &'a str), Failure> {
        arg.split_once('=')
            .filter(|(a, b)| !a.is_empty() && !b.is_empty())
            .ok_or_else(|| Failure::usage(format!("{flag} `{arg}`: expected {form}")))
    }

    impl Input {
        fn spec(&self) -> Result<DatasetSpec, Failure> {
            let mut spec = match &self.dataset_spec {
                Some(p) => {
                    let text = std::fs::read_to_string(p)
                        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", p.display())))?;
                    serde_json::from_str(&text).map_err(|e| {
                        Failure::usage(format!(
                            "{} is not a dataset specification: {e}",
                            p.display()
                        ))
                    })?
                }
                None => DatasetSpec::default(),
            };
            if let Some(m) = &self.missing {
                spec.missing_tokens = m.clone();
            }
            for k in &self.kind {
                let (var, kind) = split_pair(k, "--kind", "VAR=KIND")?;
                let kind = ColumnKind::parse(kind).ok_or_else(|| {
                    Failure::usage(format!(
                        "--kind `{k}`: the kind must be numeric, binary, categorical or text"
                    ))
                })?;
                spec.column_mut(var).kind = Some(kind);
            }
            for (args, closed) in [(&self.cut, Closed::Right), (&self.cut_left, Closed::Left)] {
                for c in args {
                    let (name, rest) = split_pair(c, "--cut", "NEW=COLUMN:T1,...")?;
                    let (source, ts) = rest.split_once(':').ok_or_else(|| {
                        Failure::usage(format!("--cut `{c}`: expected NEW=COLUMN:T1,..."))
                    })?;
                    let thresholds = ts
                        .split(',')
                        .map(|t| t.trim().parse::<f64>())
                        .collect::<Result<Vec<f64>, _>>()
                        .map_err(|_| {
                            Failure::usage(format!("--cut `{c}`: cut points must be numbers"))
                        })?;
                    spec.derived.push(DerivedColumn {
                        name: name.to_owned(),
                        source: source.to_owned(),
                        recode: Recode::Cut {
                            thresholds,
                            closed,
                            labels: None,
                        },
                    });
                }
            }
            for r in &self.reference {
                let (var, level) = split_pair(r, "--ref", "VAR=LEVEL")?;
                spec.column_mut(var).reference = Some(level.to_owned());
            }
            Ok(spec)
        }

        fn load(&self) -> Result<(data::RawTable, data::Dataset), Failure> {
            let bytes = std::fs::read(&self.file).map_err(|e| Failure {
                message: format!("cannot read {}: {e}", self.file.display()),
                hint: Some("Check the path.".into()),
            })?;
            let options = ReadOptions {
                delimiter: self.delimiter,
                sheet: self.sheet.clone(),
                ..ReadOptions::default()
            };
            Ok(data::load(&bytes, &options, &self.spec()?)?)
        }
    }

    fn read_settings(
        spec: &std::path::Path,
    ) -> Result<cohortlab::report::study::StudySettings, Failure> {
        let text = std::fs::read_to_string(spec)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", spec.display())))?;
        cohortlab::report::study::StudySettings::from_json(&text).map_err(|m| Failure {
            message: format!("{}: {m}", spec.display()),
            hint: Some("Save the settings again from the page's Report step.".into()),
        })
    }

    /// The design guessed from the file, as settings; an error when no
    /// column looks like the groups compared.
    fn guessed(
        raw: &data::RawTable,
    ) -> Result<
        (
            cohortlab::report::study::StudySettings,
            cohortlab::engine::design::DesignGuess,
        ),
        Failure,
    > {
        let ds = data::Dataset::build(raw, &DatasetSpec::default())
            .map_err(|e| Failure::from(cohortlab::engine::AnalysisError::from(e)))?;
        let guess = cohortlab::engine::design::guess_design(&ds);
        if guess.treatment.is_none() {
            return Err(Failure {
            message: "no column looks like the groups compared (a binary column named like group, treatment, arm, exposure or cohort), so the study cannot be guessed".into(),
            hint: Some("Open the file in the page, choose the groups compared on the Data step and save the settings, then run again with --spec SETTINGS.json (`cohortlab guess FILE` shows what was recognised).".into()),
            });
        }
        Ok((cohortlab::report::design::guessed_settings(&guess), guess))
    }

    fn run_study(
        file: &std::path::Path,
        spec: Option<&std::path::Path>,
        out: &std::path::Path,
        sheet: Option<String>,
        delimiter: Option<u8>,
    ) -> Result<(), Failure> {
        use cohortlab::report::study::run_study;
        let given = spec.map(read_settings).transpose()?;
        let bytes = std::fs::read(file).map_err(|e| Failure {
            message: format!("cannot read {}: {e}", file.display()),
            hint: Some("Check the path.".into()),
        })?;
        let options = ReadOptions {
            delimiter,
            sheet,
            ..ReadOptions::default()
        };
        let raw = data::read(&bytes, &options)
            .map_err(|e| Failure::from(cohortlab::engine::AnalysisError::from(e)))?;
        let name = file
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        let (settings, design) = match given {
            Some(s) => (s, None),
            None => {
                let (s, g) = guessed(&raw)?;
                print!("{}", cohortlab::report::design::design_text(&g));
                (s, Some(g))
            }
        };
        let mut study = run_study(&raw, &name, &settings).map_err(|e| Failure {
            message: e.to_string(),
            hint: Some(e.hint()),
        })?;
        if design.is_some() {
            study.results.design = design;
            study.report_html = cohortlab::report::study::report_html(
                &study.results,
                &study.tables,
                &study.figures,
            );
        }
        let write = |path: std::path::PathBuf, text: &str| {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| Failure::usage(format!("cannot create {}: {e}", dir.display())))?;
            }
            std::fs::write(&path, text)
                .map_err(|e| Failure::usage(format!("cannot write {}: {e}", path.display())))
        };
        write(out.join("report.html"), &study.report_html)?;
        write(out.join("results.json"), &study.results_json())?;
        write(out.join("settings.json"), &settings.to_json())?;
        // File names made from data (columns, outcomes) are sanitised and
        // made unique, so nothing is written outside --out.
        use cohortlab::report::filename::unique_stems;
        let stems = unique_stems(study.tables.iter().map(|(n, _)| n.as_str()));
        for (stem, (_, t)) in stems.iter().zip(&study.tables) {
            write(out.join("tables").join(format!("{stem}.csv")), &t.to_csv())?;
        }
        let stems = unique_stems(study.figures.iter().map(|(n, _)| n.as_str()));
        for (stem, (_, svg)) in stems.iter().zip(&study.figures) {
            write(out.join("figures").join(format!("{stem}.svg")), svg)?;
        }
        if let Some(csv) = &study.matched_csv {
            write(out.join("matched.csv"), csv)?;
        }
        for d in &study.results.diagnostics {
            println!("note: {d}");
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

    fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Failure> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| Failure::usage(format!("cannot write JSON: {e}")))?;
        println!("{text}");
        Ok(())
    }

    fn print_diagnostics(items: &[cohortlab::engine::Diagnostic]) {
        for d in items {
            println!("note: {}", d.message);
            if let Some(h) = &d.hint {
                println!("      {h}");
            }
        }
    }

    fn write_csv(
        path: &Option<PathBuf>,
        table: &cohortlab::report::table::ReportTable,
    ) -> Result<(), Failure> {
        if let Some(p) = path {
            std::fs::write(p, table.to_csv())
                .map_err(|e| Failure::usage(format!("cannot write {}: {e}", p.display())))?;
        }
        Ok(())
    }

    fn run(cli: Cli) -> Result<(), Failure> {
        match cli.command {
            Command::Cox {
                mut input,
                outcome:
                    TimeToEvent {
                        time,
                        event,
                        event_level,
                    },
                vars,
                categorical,
                ordinal,
                ties,
                cluster,
                strata,
                json,
            } => {
                use cohortlab::engine::survival::{cox_model_with_ph_test, CoxSpec, Ties};
                input
                    .kind
                    .extend(categorical.iter().map(|c| format!("{c}=categorical")));
                let ties = Ties::parse(&ties)
                    .ok_or_else(|| Failure::usage(format!("--ties `{ties}`: efron or breslow")))?;
                let (_, dataset) = input.load()?;
                let spec = CoxSpec {
                    time,
                    event,
                    event_level,
                    variables: vars,
                    ordinal,
                    strata,
                    cluster,
                    ties,
                    conf_level: cohortlab::engine::defaults::CONF_LEVEL,
                };
                let (fit, ph) = cox_model_with_ph_test(&dataset, &spec).map_err(|e| Failure {
                    message: e.to_string(),
                    hint: Some(match &e {
                        cohortlab::engine::survival::CoxError::Data(d) => d.hint(),
                        _ => "Check the time, event and covariate columns (`cohortlab inspect FILE`)."
                            .into(),
                    }),
                })?;
                if json {
                    #[derive(serde::Serialize)]
                    struct Out<'a> {
                        #[serde(flatten)]
                        fit: &'a cohortlab::engine::survival::CoxFit,
                        proportional_hazards: &'a [cohortlab::engine::survival::ZphRow],
                    }
                    print_json(&Out {
                        fit: &fit,
                        proportional_hazards: &ph,
                    })?;
                } else {
                    print!("{}", cohortlab::report::survival::cox_table(&fit).to_text());
                    print!(
                        "\n{}",
                        cohortlab::report::survival::ph_test_table(&ph).to_text()
                    );
                    if !fit.convergence.converged {
                        println!("note: the model {}", fit.convergence.reason);
                    }
                }
            }
            Command::Survival {
                input,
                outcome:
                    TimeToEvent {
                        time,
                        event,
                        event_level,
                    },
                group,
                at,
                ci,
                strata,
                rho,
                rmst,
                json,
            } => {
                use cohortlab::engine::survival::{CiTransform, SurvivalSpec};
                let transform = CiTransform::parse(&ci)
                    .ok_or_else(|| Failure::usage(format!("--ci `{ci}`: log, log-log or plain")))?;
                let survival_failure = |e: cohortlab::engine::survival::SurvivalError| Failure {
                    message: e.cli_message(),
                    hint: Some(e.hint()),
                };
                cohortlab::engine::survival::check_survival_options(&at, rho, rmst)
                    .map_err(survival_failure)?;
                let (_, dataset) = input.load()?;
                let spec = SurvivalSpec {
                    time,
                    event,
                    event_level,
                    groups: group,
                    strata,
                };
                let s = cohortlab::report::survival::survival_analysis_rmst(
                    &dataset, &spec, transform, &at, rho, rmst,
                )
                .map_err(survival_failure)?;
                if json {
                    print_json(&s)?;
                } else {
                    print!("{}", s.to_text());
                }
            }
            Command::Match {
                input,
                treatment,
                treated_level,
                covariates,
                ordinal,
                ratio,
                caliper,
                caliper_absolute,
                caliper_scale,
                order,
                seed,
                replace,
                exact,
                out,
                stability,
                outcome,
                json,
            } => {
                use cohortlab::engine::matching::{
                    balance, match_patients, Caliper, DistanceScale, MatchOrder, MatchSpec,
                };
                use cohortlab::report::matching::{balance_table, counts_table, matched_csv};
                let caliper = if caliper == "none" {
                    Caliper::None
                } else {
                    let w: f64 = caliper.parse().map_err(|_| {
                        Failure::usage(format!("--caliper `{caliper}`: a number or `none`"))
                    })?;
                    if caliper_absolute {
                        Caliper::Absolute(w)
                    } else {
                        Caliper::Sd(w)
                    }
                };
                let spec = MatchSpec {
                    treatment,
                    treated_level,
                    covariates,
                    ordinal,
                    ratio,
                    replace,
                    caliper,
                    scale: DistanceScale::parse(&caliper_scale).ok_or_else(|| {
                        Failure::usage(format!(
                            "--caliper-scale `{caliper_scale}`: logit or probability"
                        ))
                    })?,
                    order: MatchOrder::parse(&order, seed).ok_or_else(|| {
                        Failure::usage(format!(
                            "--order `{order}`: largest, smallest, random or data"
                        ))
                    })?,
                    exact,
                };
                let (raw, dataset) = input.load()?;
                let m = match_patients(&dataset, &spec).map_err(|e| Failure {
                    message: e.to_string(),
                    hint: Some("Check the treatment column (binary) and the covariates.".into()),
                })?;
                let bal = balance(&dataset, &m);
                let stab = match stability {
                    Some(n) => Some(
                        cohortlab::engine::matching::stability(&dataset, &m, n, outcome.as_deref())
                            .map_err(|e| Failure::usage(e.to_string()))?,
                    ),
                    None => None,
                };
                if let Some(p) = &out {
                    std::fs::write(p, matched_csv(&raw, &m)).map_err(|e| {
                        Failure::usage(format!("cannot write {}: {e}", p.display()))
                    })?;
                }
                if json {
                    #[derive(serde::Serialize)]
                    struct Out<'a> {
                        spec: &'a MatchSpec,
                        caliper_width: Option<f64>,
                        model: &'a cohortlab::engine::regression::LogisticFit,
                        counts: &'a cohortlab::engine::matching::SampleSizes,
                        balance: &'a [cohortlab::engine::matching::BalanceRow],
                        stability: Option<&'a cohortlab::engine::matching::Stability>,
                        diagnostics: &'a [cohortlab::engine::Diagnostic],
                    }
                    print_json(&Out {
                        spec: &m.spec,
                        caliper_width: m.caliper_width,
                        model: &m.model,
                        counts: &m.counts,
                        balance: &bal,
                        stability: stab.as_ref(),
                        diagnostics: &m.diagnostics,
                    })?;
                } else {
                    print!(
                        "{}\n{}",
                        counts_table(&m).to_text(),
                        balance_table(&bal).to_text()
                    );
                    if let Some(w) = m.caliper_width {
                        println!("caliper: {w} on the {} scale", m.spec.scale.as_str());
                    }
                    if let Some(s) = &stab {
                        println!(
                            "stability over {} random orders: matched controls shared with this matching at least {:.1}%",
                            s.runs.len(),
                            100.0 * s.min_overlap
                        );
                        if let (Some(r), Some(lo), Some(hi)) = (
                            s.reference_outcome_difference,
                            s.min_difference,
                            s.max_difference,
                        ) {
                            println!(
                                "outcome difference (treated - control): {:.1} points here, {:.1} to {:.1} across orders",
                                100.0 * r,
                                100.0 * lo,
                                100.0 * hi
                            );
                        }
                    }
                    print_diagnostics(&m.diagnostics);
                }
            }
            Command::Table1 {
                input,
                group,
                vars,
                nonnormal,
                continuous,
                categorical_test,
                continuous_test,
                percent_decimals,
                json,
                csv,
            } => {
                use cohortlab::engine::table1::{
                    table1, CategoricalTest, ContinuousTest, Table1Spec,
                };
                let spec = Table1Spec {
                    group,
                    variables: vars,
                    nonnormal,
                    continuous,
                    categorical_test: CategoricalTest::parse(&categorical_test).ok_or_else(|| {
                        Failure::usage(format!(
                            "--categorical-test `{categorical_test}`: use auto, pearson, yates, fisher or lr"
                        ))
                    })?,
                    continuous_test: ContinuousTest::parse(&continuous_test).ok_or_else(|| {
                        Failure::usage(format!("--continuous-test `{continuous_test}`: use welch or student"))
                    })?,
                };
                let (_, dataset) = input.load()?;
                let t = table1(&dataset, &spec).map_err(|e| Failure {
                    message: e.to_string(),
                    hint: Some(e.hint()),
                })?;
                let table = cohortlab::report::table1::table1_table(
                    &t,
                    cohortlab::report::table1::Table1Format {
                        percent_decimals,
                        ..Default::default()
                    },
                );
                write_csv(&csv, &table)?;
                if json {
                    print_json(&t)?;
                } else {
                    print!("{}", table.to_text());
                    print_diagnostics(&t.diagnostics);
                }
            }
            Command::Logistic {
                input,
                outcome,
                event,
                vars,
                univariate,
                ordinal,
                select_p,
                firth,
                json,
                csv,
            } => {
                use cohortlab::engine::regression::{
                    fit_logistic, univariate_screen, LogisticSpec,
                };
                if let Some(p) = select_p {
                    cohortlab::report::validate::p_threshold("--select-p", p)
                        .map_err(Failure::usage)?;
                }
                let (_, dataset) = input.load()?;
                let spec = LogisticSpec {
                    outcome,
                    event,
                    variables: vars,
                    ordinal,
                    conf_level: 0.95,
                    firth,
                };
                let screen = univariate_screen(&dataset, &spec);
                let multi = if univariate {
                    None
                } else {
                    let chosen = spec.select(&screen, select_p);
                    if chosen.is_empty() {
                        return Err(Failure::usage(format!(
                            "no variable has a univariate P below {}",
                            select_p.unwrap_or_default()
                        )));
                    }
                    let m = LogisticSpec {
                        variables: chosen,
                        ..spec.clone()
                    };
                    Some(fit_logistic(&dataset, &m).map_err(|e| Failure {
                        message: e.to_string(),
                        hint: Some(e.hint()),
                    })?)
                };
                if let Some(Err(e)) = screen.first().map(|s| &s.fit) {
                    if screen.iter().all(|s| s.fit.is_err()) {
                        return Err(Failure::usage(e.clone()));
                    }
                }
                let table =
                    cohortlab::report::regression::regression_table(&screen, multi.as_ref());
                write_csv(&csv, &table)?;
                if json {
                    match &multi {
                        Some(m) => print_json(m)?,
                        None => print_json(&screen)?,
                    }
                } else {
                    print!("{}", table.to_text());
                    if let Some(m) = &multi {
                        print_diagnostics(&m.diagnostics);
                    }
                }
            }
            Command::Run {
                file,
                spec,
                out,
                sheet,
                delimiter,
            } => run_study(&file, spec.as_deref(), &out, sheet, delimiter)?,
            Command::Guess { input, json } => {
                use cohortlab::report::design::{design_text, guessed_settings};
                let (_, dataset) = input.load()?;
                let guess = cohortlab::engine::design::guess_design(&dataset);
                if json {
                    let settings = guessed_settings(&guess);
                    print_json(&serde_json::json!({ "guess": guess, "settings": settings }))?;
                } else {
                    print!("{}", design_text(&guess));
                    print_diagnostics(&guess.diagnostics);
                }
            }
            Command::Inspect { input, json } => {
                let (raw, dataset) = input.load()?;
                let inspection = Inspection::new(&raw.format, &dataset);
                if json {
                    print_json(&inspection)?;
                } else {
                    print!("{}", inspection.to_text());
                }
            }
        }
        Ok(())
    }

    pub fn main() -> ExitCode {
        match run(Cli::parse()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(f) => {
                eprintln!("error: {}", f.message);
                if let Some(h) = f.hint {
                    eprintln!("hint: {h}");
                }
                ExitCode::FAILURE
            }
        }
    }
}
