//! Prints PostHog JSON for each input line (a JSON string): `posthog_json expr|select|program|template [--positions]`.
//! Used by hand to compare with the peer; the differential test does the same in bulk.

use hogql_parser::posthog_json::{
    JsonOptions, error_to_json, expr_to_json, program_to_json, query_to_json,
};
use std::io::BufRead;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str).unwrap_or("select");
    let positions = args.iter().any(|a| a == "--positions");
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let src: String = serde_json::from_str(&line).unwrap_or(line);
        let opts = JsonOptions {
            positions: positions.then_some(src.as_str()),
        };
        let out = match mode {
            "expr" => hogql_parser::parse_expr(&src).map(|e| expr_to_json(&e, &opts)),
            "program" => hogql_parser::parse_program(&src).map(|p| program_to_json(&p, &opts)),
            "template" => hogql_parser::parse_template(&src).map(|e| expr_to_json(&e, &opts)),
            _ => hogql_parser::parse_select(&src).map(|q| query_to_json(&q, &opts)),
        };
        match out {
            Ok(s) => println!("{s}"),
            Err(errs) => println!("{}", error_to_json(&errs[0], &src)),
        }
    }
}
