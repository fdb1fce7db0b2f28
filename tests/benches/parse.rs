//! Parse benchmark: a full parse of a generated 10 000-line program, and an
//! incremental reparse after a one-character edit inside a function body
//! (`Tree::edit`, then reparse with the old tree).
//!
//! Run with `cargo bench -p ward-tests --bench parse`. It prints the minimum,
//! median and 95th percentile of each measurement.

use std::time::{Duration, Instant};
use tree_sitter::{InputEdit, Point};
use ward_compiler::syntax;

const LINES: usize = 10_000;
const FULL_RUNS: usize = 30;
const EDIT_RUNS: usize = 200;

fn main() {
    let text = ward_tests::generate_program(LINES);
    let lines = text.lines().count();
    println!("program: {lines} lines, {} bytes", text.len());

    let mut parser = syntax::parser();
    let mut full = Vec::with_capacity(FULL_RUNS);
    let mut tree = None;
    for _ in 0..FULL_RUNS {
        let start = Instant::now();
        let parsed = syntax::parse_with(&mut parser, &text, None);
        full.push(start.elapsed());
        assert!(
            !parsed.root_node().has_error(),
            "the generated program must parse cleanly"
        );
        tree = Some(parsed);
    }
    report("full parse", &mut full);

    // One character typed inside a function in the middle of the file: the
    // `1` of `score += 1` becomes `12`, and back, alternately.
    let Some(tree) = tree else { return };
    let anchor = text[text.len() / 2..]
        .find("score += 1,")
        .map(|i| text.len() / 2 + i + "score += ".len())
        .expect("the generator writes `score += 1,` in every unit");
    let mut edited = text.clone();
    edited.insert(anchor + 1, '2');

    let (texts, mut current) = ([&text, &edited], tree);
    let mut reparse = Vec::with_capacity(EDIT_RUNS);
    for run in 0..EDIT_RUNS {
        let (old, new) = (texts[run % 2], texts[(run + 1) % 2]);
        let edit = one_char_edit(old, anchor + 1, new.len() > old.len());
        let start = Instant::now();
        current.edit(&edit);
        let next = syntax::parse_with(&mut parser, new, Some(&current));
        reparse.push(start.elapsed());
        assert!(!next.root_node().has_error());
        current = next;
    }
    report("edit + incremental reparse", &mut reparse);
}

/// The `InputEdit` for inserting (or deleting) one ASCII character at `at`.
fn one_char_edit(old: &str, at: usize, insert: bool) -> InputEdit {
    let position = point_at(old, at);
    let after = Point {
        row: position.row,
        column: position.column + 1,
    };
    if insert {
        InputEdit {
            start_byte: at,
            old_end_byte: at,
            new_end_byte: at + 1,
            start_position: position,
            old_end_position: position,
            new_end_position: after,
        }
    } else {
        InputEdit {
            start_byte: at,
            old_end_byte: at + 1,
            new_end_byte: at,
            start_position: position,
            old_end_position: after,
            new_end_position: position,
        }
    }
}

fn point_at(text: &str, offset: usize) -> Point {
    let before = &text[..offset];
    let row = before.matches('\n').count();
    let column = offset - before.rfind('\n').map_or(0, |i| i + 1);
    Point { row, column }
}

fn report(name: &str, samples: &mut [Duration]) {
    samples.sort();
    let pick = |q: f64| {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let index = ((samples.len() - 1) as f64 * q).round() as usize;
        samples[index]
    };
    println!(
        "{name:<28} min {:>9.3} ms   median {:>9.3} ms   p95 {:>9.3} ms   ({} runs)",
        ms(samples[0]),
        ms(pick(0.5)),
        ms(pick(0.95)),
        samples.len()
    );
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
