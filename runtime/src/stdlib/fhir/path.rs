//! A FHIRPath subset (FHIRPath N1, as the R4 specification's search
//! parameters and invariants mostly use it): member access with FHIR's
//! choice types (`Observation.value` finds `valueQuantity`), indexers
//! (`name[0]`, from 0 as FHIRPath counts), `where(…)`, `exists()` (with or
//! without a condition), `empty()`, `first()`, `last()`, `count()`,
//! `not()`, `=` and `!=`, `and`, `or`, string, number and boolean
//! literals, `$this`, and a leading type name (`Patient.name`), which
//! filters on `resourceType`.
//!
//! Every expression gives a collection (a list of JSON values), empty
//! for "nothing", as FHIRPath's semantics say: member access flattens
//! arrays, `=` on empty operands is empty, `and`/`or` are three-valued.

use crate::stdlib::json::Json;

/// Why an expression does not parse or cannot be evaluated.
pub use crate::stdlib::SyntaxError as PathError;

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// The input collection (`$this`, or the start of a path).
    This,
    Literal(Json),
    /// `base.name`.
    Member(Box<Expr>, String),
    /// `base[index]`.
    Index(Box<Expr>, Box<Expr>),
    /// `base.f(args)`.
    Call(Box<Expr>, String, Vec<Expr>),
    Eq(Box<Expr>, Box<Expr>, bool),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

const FUNCTIONS: &[(&str, usize, usize)] = &[
    ("where", 1, 1),
    ("exists", 0, 1),
    ("empty", 0, 0),
    ("first", 0, 0),
    ("last", 0, 0),
    ("count", 0, 0),
    ("not", 0, 0),
];

const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
}

/// Parses an expression.
///
/// # Errors
///
/// When it is not in the subset, saying what was expected where.
pub fn parse(text: &str) -> Result<Expr, PathError> {
    let mut p = Parser {
        text,
        pos: 0,
        depth: 0,
    };
    let e = p.or()?;
    p.ws();
    if p.pos < text.len() {
        return p.err("unexpected text after the expression");
    }
    Ok(e)
}

impl Parser<'_> {
    fn err<T>(&self, message: impl Into<String>) -> Result<T, PathError> {
        Err(PathError {
            message: message.into(),
            at: self.pos,
        })
    }

    fn ws(&mut self) {
        while self.text[self.pos..].starts_with([' ', '\t', '\n', '\r']) {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.ws();
        self.text[self.pos..].chars().next()
    }

    fn eat(&mut self, s: &str) -> bool {
        self.ws();
        if self.text[self.pos..].starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    /// A keyword operator (`and`, `or`) followed by a non-identifier.
    fn keyword(&mut self, word: &str) -> bool {
        self.ws();
        let rest = &self.text[self.pos..];
        if rest.starts_with(word)
            && !rest[word.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    fn enter(&mut self) -> Result<(), PathError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err(format!("nested deeper than {MAX_DEPTH} levels"));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, PathError> {
        self.enter()?;
        let mut e = self.and()?;
        while self.keyword("or") {
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        self.depth -= 1;
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, PathError> {
        let mut e = self.equality()?;
        while self.keyword("and") {
            e = Expr::And(Box::new(e), Box::new(self.equality()?));
        }
        Ok(e)
    }

    fn equality(&mut self) -> Result<Expr, PathError> {
        let e = self.path()?;
        if self.eat("!=") {
            return Ok(Expr::Eq(Box::new(e), Box::new(self.path()?), true));
        }
        if self.eat("=") {
            return Ok(Expr::Eq(Box::new(e), Box::new(self.path()?), false));
        }
        Ok(e)
    }

    fn identifier(&mut self) -> Option<String> {
        self.ws();
        let rest = &self.text[self.pos..];
        let len = rest
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_alphabetic() || c == '_' || (i > 0 && c.is_ascii_digit())))
            .map_or(rest.len(), |(i, _)| i);
        if len == 0 {
            return None;
        }
        self.pos += len;
        Some(rest[..len].to_string())
    }

    /// `name` or `name(args)` applied to `base`.
    fn invocation(&mut self, base: Expr) -> Result<Expr, PathError> {
        let at = self.pos;
        let Some(name) = self.identifier() else {
            return self.err("expected a name");
        };
        if !self.eat("(") {
            return Ok(Expr::Member(Box::new(base), name));
        }
        let Some(&(_, min, max)) = FUNCTIONS.iter().find(|(f, ..)| *f == name) else {
            self.pos = at;
            return self.err(format!(
                "`{name}()` is not in Ward's FHIRPath subset (where, exists, empty, first, last, count, not)"
            ));
        };
        let mut args = Vec::new();
        if !self.eat(")") {
            loop {
                args.push(self.or()?);
                if self.eat(")") {
                    break;
                }
                if !self.eat(",") {
                    return self.err("expected `,` or `)`");
                }
            }
        }
        if args.len() < min || args.len() > max {
            self.pos = at;
            return self.err(format!(
                "`{name}()` takes {min} to {max} arguments, not {}",
                args.len()
            ));
        }
        Ok(Expr::Call(Box::new(base), name, args))
    }

    fn primary(&mut self) -> Result<Expr, PathError> {
        match self.peek() {
            Some('(') => {
                self.pos += 1;
                let e = self.or()?;
                if !self.eat(")") {
                    return self.err("expected `)`");
                }
                Ok(e)
            }
            Some('\'') => self.string(),
            Some(c) if c.is_ascii_digit() => self.number(),
            Some('$') => {
                if self.eat("$this") {
                    Ok(Expr::This)
                } else {
                    self.err("expected `$this`")
                }
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                if self.keyword("true") {
                    return Ok(Expr::Literal(Json::Bool(true)));
                }
                if self.keyword("false") {
                    return Ok(Expr::Literal(Json::Bool(false)));
                }
                self.invocation(Expr::This)
            }
            _ => self.err("expected a name, a literal or `(`"),
        }
    }

    fn path(&mut self) -> Result<Expr, PathError> {
        let mut e = self.primary()?;
        loop {
            if self.eat(".") {
                e = self.invocation(e)?;
            } else if self.eat("[") {
                let index = self.or()?;
                if !self.eat("]") {
                    return self.err("expected `]`");
                }
                e = Expr::Index(Box::new(e), Box::new(index));
            } else {
                return Ok(e);
            }
        }
    }

    fn string(&mut self) -> Result<Expr, PathError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.text[self.pos..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\'' => {
                    self.pos += i + 1;
                    return Ok(Expr::Literal(Json::string(&out)));
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, 'r')) => out.push('\r'),
                    Some((_, c)) => out.push(c),
                    None => break,
                },
                c => out.push(c),
            }
        }
        self.pos = start;
        self.err("a string without its closing `'`")
    }

    fn number(&mut self) -> Result<Expr, PathError> {
        let start = self.pos;
        while self.text[self.pos..].starts_with(|c: char| c.is_ascii_digit() || c == '.') {
            self.pos += 1;
        }
        let text = &self.text[start..self.pos];
        if let Ok(i) = text.parse::<i64>() {
            return Ok(Expr::Literal(Json::Int(i)));
        }
        if let Ok(f) = text.parse::<f64>() {
            Ok(Expr::Literal(Json::float(f)))
        } else {
            self.pos = start;
            self.err("not a number")
        }
    }
}

/// Evaluates `expr` on `resource`.
///
/// # Errors
///
/// When a function gets what it cannot take (an indexer that is not an
/// integer).
pub fn evaluate(expr: &Expr, resource: &Json) -> Result<Vec<Json>, PathError> {
    eval(expr, std::slice::from_ref(resource), true)
}

/// The R4 data types a choice element (`value[x]`) can take, as they
/// end its name (`valueQuantity`).
const CHOICE_TYPES: &[&str] = &[
    "Base64Binary",
    "Boolean",
    "Canonical",
    "Code",
    "Date",
    "DateTime",
    "Decimal",
    "Id",
    "Instant",
    "Integer",
    "Markdown",
    "Oid",
    "PositiveInt",
    "String",
    "Time",
    "UnsignedInt",
    "Uri",
    "Url",
    "Uuid",
    "Address",
    "Age",
    "Annotation",
    "Attachment",
    "CodeableConcept",
    "Coding",
    "ContactPoint",
    "Count",
    "Distance",
    "Duration",
    "HumanName",
    "Identifier",
    "Money",
    "Period",
    "Quantity",
    "Range",
    "Ratio",
    "Reference",
    "SampledData",
    "Signature",
    "Timing",
    "ContactDetail",
    "Contributor",
    "DataRequirement",
    "Expression",
    "ParameterDefinition",
    "RelatedArtifact",
    "TriggerDefinition",
    "UsageContext",
    "Dosage",
    "Meta",
];

fn members(item: &Json, name: &str, out: &mut Vec<Json>) {
    let Some(o) = item.as_object() else { return };
    let found = o.get(name).or_else(|| {
        // A choice element: `value` is whichever `value[x]` is there.
        o.iter()
            .find(|(k, _)| {
                k.strip_prefix(name)
                    .is_some_and(|rest| CHOICE_TYPES.contains(&rest))
            })
            .map(|(_, v)| v)
    });
    match found {
        Some(Json::Array(items)) => out.extend(items.iter().cloned()),
        Some(v) => out.push(v.clone()),
        None => {}
    }
}

fn truth(c: &[Json]) -> Option<bool> {
    match c {
        [] => None,
        [Json::Bool(b)] => Some(*b),
        // Anything else that is there counts as true (as fhirpathpy and
        // fhirpath.js read a non-boolean condition).
        _ => Some(true),
    }
}

fn boolean(b: Option<bool>) -> Vec<Json> {
    b.map(Json::Bool).into_iter().collect()
}

fn eval(expr: &Expr, input: &[Json], root: bool) -> Result<Vec<Json>, PathError> {
    crate::value::host_stack::grow(|| eval_here(expr, input, root))
}

fn eval_here(expr: &Expr, input: &[Json], root: bool) -> Result<Vec<Json>, PathError> {
    Ok(match expr {
        Expr::This => input.to_vec(),
        Expr::Literal(v) => vec![v.clone()],
        Expr::Member(base, name) => {
            // A type name that starts a path filters on `resourceType`.
            if root
                && matches!(**base, Expr::This)
                && name.starts_with(|c: char| c.is_ascii_uppercase())
            {
                return Ok(input
                    .iter()
                    .filter(|r| r.get("resourceType").and_then(Json::as_str) == Some(name))
                    .cloned()
                    .collect());
            }
            let base = eval(base, input, root)?;
            let mut out = Vec::new();
            for item in &base {
                members(item, name, &mut out);
            }
            out
        }
        Expr::Index(base, index) => {
            let base = eval(base, input, root)?;
            let index = eval(index, input, root)?;
            match index.as_slice() {
                [] => Vec::new(),
                [i] => match i.as_i64() {
                    Some(i) => usize::try_from(i)
                        .ok()
                        .and_then(|i| base.get(i))
                        .cloned()
                        .into_iter()
                        .collect(),
                    None => {
                        return Err(PathError {
                            message: "an indexer must be an integer".to_string(),
                            at: 0,
                        });
                    }
                },
                _ => {
                    return Err(PathError {
                        message: "an indexer must be one integer".to_string(),
                        at: 0,
                    });
                }
            }
        }
        Expr::Call(base, name, args) => {
            let base = eval(base, input, root)?;
            match name.as_str() {
                "where" => {
                    let mut out = Vec::new();
                    for item in base {
                        let keep = eval(&args[0], std::slice::from_ref(&item), false)?;
                        if truth(&keep) == Some(true) {
                            out.push(item);
                        }
                    }
                    out
                }
                "exists" => {
                    let any = match args.first() {
                        None => !base.is_empty(),
                        Some(cond) => {
                            let mut any = false;
                            for item in &base {
                                if truth(&eval(cond, std::slice::from_ref(item), false)?)
                                    == Some(true)
                                {
                                    any = true;
                                    break;
                                }
                            }
                            any
                        }
                    };
                    vec![Json::Bool(any)]
                }
                "empty" => vec![Json::Bool(base.is_empty())],
                "first" => base.into_iter().take(1).collect(),
                "last" => base.into_iter().last().into_iter().collect(),
                "count" => vec![Json::Int(i64::try_from(base.len()).unwrap_or(i64::MAX))],
                "not" => boolean(truth(&base).map(|b| !b)),
                _ => Vec::new(),
            }
        }
        Expr::Eq(a, b, negate) => {
            let a = eval(a, input, root)?;
            let b = eval(b, input, root)?;
            if a.is_empty() || b.is_empty() {
                Vec::new()
            } else {
                let same = a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x == y);
                vec![Json::Bool(same != *negate)]
            }
        }
        Expr::And(a, b) => {
            let a = truth(&eval(a, input, root)?);
            let b = truth(&eval(b, input, root)?);
            boolean(match (a, b) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            })
        }
        Expr::Or(a, b) => {
            let a = truth(&eval(a, input, root)?);
            let b = truth(&eval(b, input, root)?);
            boolean(match (a, b) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stdlib::json;

    fn run(expr: &str, on: &Json) -> String {
        let e = parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
        let out = evaluate(&e, on).unwrap();
        Json::Array(std::sync::Arc::new(out)).to_text()
    }

    #[test]
    fn the_subset_on_a_patient() {
        let p = json::parse(
            r#"{"resourceType":"Patient","id":"x","active":true,
            "name":[{"use":"official","family":"Chalmers","given":["Peter","James"]},
                    {"use":"usual","given":["Jim"]}],
            "telecom":[{"system":"phone","value":"1"},{"system":"email","value":"a@b"}]}"#,
        )
        .unwrap();
        assert_eq!(run("Patient.name.given", &p), r#"["Peter","James","Jim"]"#);
        assert_eq!(run("name[0].given[1]", &p), r#"["James"]"#);
        assert_eq!(
            run("name.where(use = 'usual').given.first()", &p),
            r#"["Jim"]"#
        );
        assert_eq!(
            run(
                "telecom.where(system = 'email' or system = 'fax').value",
                &p
            ),
            r#"["a@b"]"#
        );
        assert_eq!(run("name.exists(family = 'Chalmers')", &p), "[true]");
        assert_eq!(run("name.family.count()", &p), "[1]");
        assert_eq!(run("deceased.exists()", &p), "[false]");
        assert_eq!(run("birthDate.empty()", &p), "[true]");
        assert_eq!(run("Observation.id", &p), "[]");
        assert_eq!(run("active = true and id = 'x'", &p), "[true]");
        assert_eq!(run("gender = 'male'", &p), "[]");
        assert_eq!(run("name.given.last()", &p), r#"["Jim"]"#);
        assert_eq!(run("active.not()", &p), "[false]");
    }

    #[test]
    fn choice_types_and_errors() {
        let o = json::parse(
            r#"{"resourceType":"Observation","valueQuantity":{"value":72,"unit":"/min"}}"#,
        )
        .unwrap();
        assert_eq!(run("Observation.value.unit", &o), r#"["/min"]"#);
        assert_eq!(
            parse("name.foo()").unwrap_err().message.split(" is").next(),
            Some("`foo()`")
        );
        assert_eq!(parse("name[0").unwrap_err().message, "expected `]`");
        assert_eq!(parse("'abc").unwrap_err().at, 0);
        assert!(parse("where()").is_err());
        let deep = format!("{}1{}", "(".repeat(100), ")".repeat(100));
        assert!(parse(&deep).unwrap_err().message.contains("deeper"));
    }
}
