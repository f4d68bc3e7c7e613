//! The one KDL writer the importers use: every string is quoted and escaped.

/// A KDL value.
pub enum V {
    S(String),
    I(i64),
    B(bool),
}

impl From<&str> for V {
    fn from(s: &str) -> V {
        V::S(s.to_string())
    }
}
impl From<String> for V {
    fn from(s: String) -> V {
        V::S(s)
    }
}
impl From<&String> for V {
    fn from(s: &String) -> V {
        V::S(s.clone())
    }
}
impl From<i64> for V {
    fn from(i: i64) -> V {
        V::I(i)
    }
}
impl From<bool> for V {
    fn from(b: bool) -> V {
        V::B(b)
    }
}

/// A quoted KDL string.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl V {
    /// The value as KDL writes it.
    pub fn text(&self) -> String {
        value(self)
    }
}

fn value(v: &V) -> String {
    match v {
        V::S(s) => quote(s),
        V::I(i) => i.to_string(),
        V::B(b) => if *b { "#true" } else { "#false" }.to_string(),
    }
}

/// Builds a KDL document line by line, four spaces per level.
#[derive(Default)]
pub struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("    ");
        }
    }

    /// `// text` (one line per line of text).
    pub fn comment(&mut self, text: &str) {
        for l in text.lines() {
            self.indent();
            self.out.push_str(if l.is_empty() { "//" } else { "// " });
            self.out.push_str(l);
            self.out.push('\n');
        }
    }

    pub fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") && !self.out.ends_with("{\n") {
            self.out.push('\n');
        }
    }

    fn head(&mut self, name: &str, args: &[V], props: &[(&str, V)]) {
        self.indent();
        self.out.push_str(name);
        for a in args {
            self.out.push(' ');
            self.out.push_str(&value(a));
        }
        for (k, v) in props {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push('=');
            self.out.push_str(&value(v));
        }
    }

    /// A node without children.
    pub fn node(&mut self, name: &str, args: &[V], props: &[(&str, V)]) {
        self.head(name, args, props);
        self.out.push('\n');
    }

    /// Opens a block; close it with [`Writer::close`].
    pub fn open(&mut self, name: &str, args: &[V], props: &[(&str, V)]) {
        self.head(name, args, props);
        self.out.push_str(" {\n");
        self.depth += 1;
    }

    pub fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("}\n");
    }

    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_always_quoted_and_escaped() {
        let mut w = Writer::default();
        w.open("site", &["a\"b".into()], &[]);
        w.node("x", &["c\\d\n".into(), 3.into()], &[("k", true.into())]);
        w.close();
        let text = w.finish();
        assert_eq!(text, "site \"a\\\"b\" {\n    x \"c\\\\d\\n\" 3 k=#true\n}\n");
        kdl::KdlDocument::parse_v2(&text).unwrap();
    }
}
