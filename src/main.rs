//! The `topictag` command: arguments -> the library's settings -> a fit, a `tag` or an
//! `inspect` (with progress bars on a terminal) -> output and exit code.

mod cli;

// A million documents make many short-lived vectors and strings; mimalloc returns freed memory to
// the system where glibc's allocator keeps it, and allocates small blocks faster.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use cli::{terminal, Cli, Command};
use topictag::{Cancel, Error, ErrorKind, Progress, Silent, Summary};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => error.exit(), // --help, --version
        Err(error) => {
            // clap adds a usage hint on more lines; one line is the contract for every error.
            let message = error.to_string();
            say(message.lines().next().unwrap_or("error: invalid arguments"));
            return ExitCode::from(2);
        }
    };
    // A forced instruction set the CPU lacks is refused before any work (the choice changes
    // speed only: every level gives the same bits).
    if let Err(error) = topictag::simd::Simd::from_env().and_then(topictag::simd::force) {
        say(&format!("error: {error}"));
        return ExitCode::from(2);
    }
    let quiet = cli.quiet;
    // `inspect` reports no progress: there is nothing to draw.
    let bars = if quiet || matches!(cli.command, Some(Command::Inspect(_))) {
        None
    } else {
        terminal::Bars::for_stderr()
    };
    // Ctrl-C sets the token: every stage stops at its next chunk of work and nothing is written.
    let cancel = Cancel::new();
    if let Err(error) = terminal::cancel_on_interrupt(bars.clone(), cancel.clone()) {
        say(&format!(
            "warning: cannot catch Ctrl-C ({error}); an interrupted run may leave temp files in the output folder"
        ));
    }
    let shown: &dyn Progress = match &bars {
        Some(bars) => bars.as_ref(),
        None => &Silent,
    };
    let watched = cancel.watch(shown);
    let progress: &dyn Progress = &watched;
    match cli.command {
        Some(Command::Tag(args)) => match args.run(progress) {
            Ok(tagged) => {
                if !quiet {
                    say(&cli::tag::summary(&tagged));
                }
                ExitCode::SUCCESS
            }
            Err(error) => fail(&error),
        },
        Some(Command::Embed(args)) => match args.run(progress) {
            Ok(outcome) => {
                let (warnings, line) = cli::embed::report(&outcome, &args.output);
                for warning in warnings {
                    say(&format!("warning: {warning}"));
                }
                if !quiet {
                    say(&line);
                }
                ExitCode::SUCCESS
            }
            Err(error) => fail(&error),
        },
        Some(Command::Inspect(args)) => match args.load() {
            Ok(model) => {
                let mut out = std::io::stdout().lock();
                stdout_result(cli::inspect::describe(&model, &mut out))
            }
            Err(error) => fail(&error),
        },
        None => fit(cli.run, progress, quiet),
    }
}

/// The fit (`topictag [INPUT]`): warnings and, with `--timings`, each stage's time to stderr,
/// then the topic table to stdout unless quiet.
fn fit(args: cli::run::RunArgs, progress: &dyn Progress, quiet: bool) -> ExitCode {
    let show_timings = args.timings;
    let outcome = args
        .into_config()
        .and_then(|config| topictag::run_with(&config, progress));
    match outcome {
        Ok(summary) => {
            for warning in &summary.warnings {
                say(&format!("warning: {warning}"));
            }
            if show_timings {
                say(&format!(
                    "time: instruction set {}",
                    topictag::simd::active().name()
                ));
                for (stage, elapsed) in &summary.timings.0 {
                    say(&format!(
                        "time: {stage:<10} {:>8.3} s",
                        elapsed.as_secs_f64()
                    ));
                }
            }
            if quiet {
                return ExitCode::SUCCESS;
            }
            stdout_result(print_table(&summary))
        }
        Err(error) => fail(&error),
    }
}

/// A broken pipe (the reader went away, as `| head` does) ends quietly; any other failure to
/// write stdout is exit code 1.
fn stdout_result(result: std::io::Result<()>) -> ExitCode {
    match result {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            say(&format!("error: cannot write to stdout: {error}"));
            ExitCode::from(1)
        }
        _ => ExitCode::SUCCESS,
    }
}

/// One `error:` line, with the library's parameters named by their flags, and the exit code
/// of the error's kind: 2 for the user's input, 1 for the environment, 130 for Ctrl-C.
fn fail(error: &Error) -> ExitCode {
    if let Error::Write { source, .. } = error {
        if source.kind() == std::io::ErrorKind::BrokenPipe {
            return ExitCode::SUCCESS;
        }
    }
    match error.kind() {
        ErrorKind::Cancelled => say("error: interrupted"),
        _ => say(&format!("error: {}", error.display_with(cli::flag))),
    }
    ExitCode::from(error.kind().exit_code())
}

/// One line to stderr. If stderr itself cannot be written there is no one left to tell, and the
/// exit code still says how the run ended.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn print_table(summary: &Summary) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "topic  size  label")?;
    for topic in &summary.topics {
        writeln!(out, "{:>5}  {:>4}  {}", topic.id, topic.size, topic.label)?;
    }
    if summary.without_terms > 0 {
        writeln!(out, "{:>5}  {:>4}  (no terms)", -1, summary.without_terms)?;
    }
    let files: Vec<String> = summary
        .files
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    writeln!(
        out,
        "{} documents, {} terms, {} LSA dimensions, {} topics -> {}",
        summary.documents,
        summary.terms,
        summary.dims,
        summary.topics.len(),
        files.join(", ")
    )?;
    if let Some(vectors) = &summary.vectors {
        writeln!(out, "sentence vectors: {vectors}")?;
    }
    if let Some(choice) = &summary.k_choice {
        writeln!(out, "{choice}")?;
    }
    if let Some((estimate, limit)) = &summary.memory {
        writeln!(
            out,
            "memory: estimated peak {} of the {} allowed ({})",
            topictag::memory::human(estimate.peak),
            topictag::memory::human(limit.bytes),
            limit.source
        )?;
    }
    writeln!(out, "{}", summary.metrics.summary())?;
    out.flush()
}
