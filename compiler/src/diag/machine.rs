//! Machine-readable output: one JSON object per diagnostic, or GitHub
//! Actions workflow annotations.

use serde_json::{Value, json};

use super::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};

fn location(span: Span, sources: &SourceMap) -> Value {
    let file = sources.get(span.file);
    let (line, column) = file.line_col(span.start());
    let (end_line, end_column) = file.line_col(span.end());
    json!({
        "file": file.name,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
    })
}

/// One line of JSON: severity, code, message, help, primary location, labels.
pub fn render_json(d: &Diagnostic, sources: &SourceMap) -> String {
    let labels: Vec<Value> = d
        .labels
        .iter()
        .map(|l| {
            let mut loc = location(l.span, sources);
            loc["text"] = Value::String(l.text.clone());
            loc
        })
        .collect();
    let mut obj = json!({
        "severity": d.severity().as_str(),
        "code": d.code.id,
        "message": d.message,
        "help": d.help_text(),
    });
    if let Some(primary) = d.primary() {
        for (k, v) in location(primary, sources).as_object().into_iter().flatten() {
            obj[k] = v.clone();
        }
    }
    obj["labels"] = Value::Array(labels);
    obj.to_string()
}

/// `::error file=…,line=…,col=…,title=…::message` — GitHub shows it on the
/// pull request's diff. Properties and message are escaped as the runner
/// expects (`%`, CR, LF everywhere; `:` and `,` in properties too).
pub fn render_github(d: &Diagnostic, sources: &SourceMap) -> String {
    let kind = match d.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut props = Vec::new();
    if let Some(span) = d.primary() {
        let file = sources.get(span.file);
        let (line, col) = file.line_col(span.start());
        let (end_line, end_col) = file.line_col(span.end());
        props.push(format!("file={}", escape_property(&file.name)));
        props.push(format!("line={line}"));
        props.push(format!("col={col}"));
        if end_line == line {
            props.push(format!("endColumn={end_col}"));
        } else {
            props.push(format!("endLine={end_line}"));
        }
    }
    props.push(format!("title={}", escape_property(d.code.id)));
    let message = format!("{} (help: {})", d.message, d.help_text());
    format!("::{kind} {}::{}", props.join(","), escape_data(&message))
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;
    use crate::source::FileId;
    use std::path::PathBuf;

    static CODE: Code = Code { id: "bosun::test::code", severity: Severity::Error, summary: "s", help: "h" };

    #[test]
    fn github_annotations_escape_what_the_runner_parses() {
        let mut sources = SourceMap::default();
        let f = sources.add("a,b:c.kdl".into(), PathBuf::from("/x"), "line one\nline two\n".into());
        assert_eq!(f, FileId(0));
        let d = Diagnostic::new(&CODE, "50% off\nnext").label(Span::new(f, 9, 13), "here");
        assert_eq!(
            render_github(&d, &sources),
            "::error file=a%2Cb%3Ac.kdl,line=2,col=1,endColumn=5,title=bosun%3A%3Atest%3A%3Acode::50%25 off%0Anext (help: h)"
        );
        let json: serde_json::Value = serde_json::from_str(&render_json(&d, &sources)).unwrap();
        assert_eq!(
            (json["line"].as_u64(), json["column"].as_u64(), json["end_column"].as_u64()),
            (Some(2), Some(1), Some(5))
        );
    }
}
