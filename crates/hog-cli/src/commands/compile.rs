//! `hog compile FILE.hog [-o OUT.hoge]`: Hog source → PostHog bytecode (JSON).
//!
//! Without `-o` the bytecode is printed on stdout (one line). With `-o` it is written to OUT
//! and the source map to `OUT.map` (see `hog_compiler::SourceMap`), which `hog run OUT` uses to
//! point runtime errors at the source. Warnings go to stderr; compile errors are rendered with the
//! source underlined and exit with 1. The helpers here are shared by `run`, `check` and `test`.

use crate::exit;
use hog_compiler::{CompileOptions, Compiled, Diagnostic, HostFunction, SourceMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The Hog source file.
    pub file: PathBuf,
    /// Write the bytecode to this file (and its source map to `OUT.map`) instead of stdout.
    #[arg(short, long, value_name = "OUT.hoge")]
    pub output: Option<PathBuf>,
    /// With `-o`: do not write the source map.
    #[arg(long)]
    pub no_source_map: bool,
}

/// Which production host a script is written for; decides the known host functions, the known
/// globals and (for `run`/`test`) PostHog's production limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Event transformations: 64 MB, 5 s, call depth 1000; `geoipLookup`, `cleanNullValues`, …
    Transformation,
    /// Realtime destinations: as transformations, plus at most 5 `fetch` calls and 25 log lines.
    Destination,
}

/// Globals every PostHog Hog host provides (hog-language.md §6).
pub const HOST_GLOBALS: &[&str] = &["event", "person", "groups", "project", "source", "inputs"];

/// Compile options for a profile (`None`: host functions of both profiles are allowed).
pub fn options_for(profile: Option<Profile>, file: &Path) -> CompileOptions {
    let host: Vec<(&str, usize, usize)> = match profile {
        Some(Profile::Transformation) => hog_compiler::functions::TRANSFORMATION_HOST.to_vec(),
        Some(Profile::Destination) => hog_compiler::functions::DESTINATION_HOST.to_vec(),
        None => hog_compiler::functions::TRANSFORMATION_HOST
            .iter()
            .chain(hog_compiler::functions::DESTINATION_HOST)
            .copied()
            .collect(),
    };
    let mut host_functions: Vec<HostFunction> = Vec::new();
    for (name, min, max) in host {
        if !host_functions.iter().any(|h| h.name == name) {
            host_functions.push(HostFunction::new(name, min, max));
        }
    }
    CompileOptions {
        host_functions,
        globals: HOST_GLOBALS.iter().map(|g| (*g).to_owned()).collect(),
        check_globals: false,
        repl: false,
        file_name: Some(file.display().to_string()),
    }
}

/// A source file and what compiling it gave.
pub struct CompiledFile {
    pub path: PathBuf,
    pub source: String,
    pub compiled: Compiled,
}

impl CompiledFile {
    /// The source and its map, for positions in runtime errors.
    pub fn origin(&self) -> Origin {
        Origin {
            name: self.path.display().to_string(),
            source: self.source.clone(),
            map: self.compiled.source_map.clone(),
        }
    }
}

/// The source a program was compiled from, for runtime errors at `FILE:LINE:COL`.
pub struct Origin {
    /// The name shown in positions (the path as given).
    pub name: String,
    pub source: String,
    pub map: SourceMap,
}

impl Origin {
    /// The error `message` at its position in the source, with the Hog call stack.
    pub fn render_error(&self, message: &str, trace: Option<&hog_vm::ErrorTrace>) -> String {
        hog_compiler::render_runtime_error(&self.name, &self.source, &self.map, message, trace)
    }
}

/// The source of a bytecode file, through the source map `FILE.hoge.map` beside it (written by
/// `hog compile -o`). The map names the source as it was given to `hog compile`; it is looked
/// for as named, then beside the map. A source shorter than the map's spans (edited since) is
/// not used.
pub fn sidecar_origin(bytecode: &Path) -> Option<Origin> {
    let map_path = source_map_path(bytecode);
    let map = SourceMap::from_json_str(&std::fs::read_to_string(&map_path).ok()?).ok()?;
    let named = PathBuf::from(map.source.as_deref()?);
    let dir = map_path.parent().unwrap_or(Path::new("."));
    let candidates = [
        named.clone(),
        dir.join(&named),
        dir.join(named.file_name()?),
    ];
    let (path, source) = candidates
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok().map(|s| (p, s)))?;
    let fits = map
        .ops
        .iter()
        .all(|&(_, _, end)| end as usize <= source.len());
    fits.then(|| Origin {
        name: path.display().to_string(),
        source,
        map,
    })
}

/// Why a file did not compile.
pub enum CompileFailure {
    /// Unreadable file (a usage error).
    Io(String),
    /// Syntax or compile errors, rendered with the source.
    Errors(String),
}

/// Renders diagnostics with the source underlined.
pub fn render_all(diags: &[Diagnostic], path: &Path, source: &str) -> String {
    let name = path.display().to_string();
    diags
        .iter()
        .map(|d| d.render(&name, source))
        .collect::<Vec<_>>()
        .join("")
}

/// Reads and compiles a `.hog` file.
pub fn compile_file(path: &Path, options: &CompileOptions) -> Result<CompiledFile, CompileFailure> {
    let source = std::fs::read_to_string(path)
        .map_err(|e| CompileFailure::Io(format!("cannot read {}: {e}", path.display())))?;
    compile_text(path, source, options)
}

/// Compiles the text of the `.hog` file `path` (already read).
pub fn compile_text(
    path: &Path,
    source: String,
    options: &CompileOptions,
) -> Result<CompiledFile, CompileFailure> {
    match hog_compiler::compile_source(&source, options) {
        Ok(compiled) => Ok(CompiledFile {
            path: path.to_owned(),
            source,
            compiled,
        }),
        Err(diags) => Err(CompileFailure::Errors(render_all(&diags, path, &source))),
    }
}

pub fn run(args: Args) -> ExitCode {
    let options = options_for(None, &args.file);
    let file = match compile_file(&args.file, &options) {
        Ok(f) => f,
        Err(CompileFailure::Io(msg)) => {
            eprintln!("error: {msg}");
            return exit::code(exit::USAGE);
        }
        Err(CompileFailure::Errors(text)) => {
            eprint!("{text}");
            return exit::code(exit::USER_ERROR);
        }
    };
    if !file.compiled.warnings.is_empty() {
        eprint!(
            "{}",
            render_all(&file.compiled.warnings, &file.path, &file.source)
        );
    }
    let json = file.compiled.to_json_string();
    match &args.output {
        None => println!("{json}"),
        Some(out) => {
            if let Err(e) = std::fs::write(out, format!("{json}\n")) {
                eprintln!("error: cannot write {}: {e}", out.display());
                return exit::code(exit::USAGE);
            }
            if !args.no_source_map {
                let map_path = source_map_path(out);
                if let Err(e) = std::fs::write(&map_path, file.compiled.source_map.to_json_string())
                {
                    eprintln!("error: cannot write {}: {e}", map_path.display());
                    return exit::code(exit::USAGE);
                }
            }
        }
    }
    exit::code(exit::OK)
}

/// `OUT.hoge` → `OUT.hoge.map`.
pub fn source_map_path(bytecode: &Path) -> PathBuf {
    let mut s = bytecode.as_os_str().to_owned();
    s.push(".map");
    PathBuf::from(s)
}
