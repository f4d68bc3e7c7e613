//! Ansible INI inventories: `[group]` headers, host rows with `key=value`
//! variables, `[group:vars]` and `[group:children]` sections.

/// One host row.
#[derive(Debug, Clone)]
pub struct HostRow {
    pub name: String,
    /// Variables in source order, each with its 1-based line.
    pub vars: Vec<(String, String, usize)>,
    pub line: usize,
}

impl HostRow {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars.iter().find(|(k, _, _)| k == key).map(|(_, v, _)| v.as_str())
    }
}

/// One section of the inventory.
#[derive(Debug, Clone, Default)]
pub struct Section {
    /// `group`, `group:vars` or `group:children`.
    pub name: String,
    pub line: usize,
    pub hosts: Vec<HostRow>,
    /// `[x:vars]` key=value lines and `[x:children]` group names (value empty).
    pub entries: Vec<(String, String, usize)>,
}

#[derive(Debug, Default)]
pub struct Inventory {
    pub sections: Vec<Section>,
}

impl Inventory {
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// Hosts of a group, following `[group:children]` (each host once).
    pub fn hosts_of(&self, group: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.collect(group, &mut out, 0);
        out
    }

    fn collect(&self, group: &str, out: &mut Vec<String>, depth: usize) {
        if depth > 16 {
            return;
        }
        for s in self.sections.iter().filter(|s| s.name == group) {
            for h in &s.hosts {
                if !out.contains(&h.name) {
                    out.push(h.name.clone());
                }
            }
        }
        if let Some(children) = self.section(&format!("{group}:children")) {
            for (child, _, _) in &children.entries {
                self.collect(child, out, depth + 1);
            }
        }
    }

    /// Every host row, the first row of each name.
    pub fn rows(&self) -> Vec<&HostRow> {
        let mut out: Vec<&HostRow> = Vec::new();
        for s in &self.sections {
            for h in &s.hosts {
                if !out.iter().any(|o| o.name == h.name) {
                    out.push(h);
                }
            }
        }
        out
    }

    /// A host's variables from every row naming it (first wins).
    pub fn var(&self, host: &str, key: &str) -> Option<(&str, usize)> {
        self.sections
            .iter()
            .flat_map(|s| &s.hosts)
            .filter(|h| h.name == host)
            .flat_map(|h| &h.vars)
            .find(|(k, _, _)| k == key)
            .map(|(_, v, l)| (v.as_str(), *l))
    }
}

/// Parses an inventory. Rows whose variables continue on the next line
/// (`key=value` lines with no host name, as the Nauta guide prints them)
/// join the row above.
pub fn parse(text: &str) -> Inventory {
    let mut inv = Inventory::default();
    let mut current: Option<Section> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with('[') && line.ends_with(']') {
            if let Some(s) = current.take() {
                inv.sections.push(s);
            }
            current =
                Some(Section { name: line[1..line.len() - 1].trim().to_string(), line: line_no, ..Default::default() });
            continue;
        }
        let section =
            current.get_or_insert_with(|| Section { name: "ungrouped".into(), line: line_no, ..Default::default() });
        if section.name.ends_with(":vars") {
            if let Some((k, v)) = line.split_once('=') {
                section.entries.push((k.trim().to_string(), unquote(v.trim()), line_no));
            }
            continue;
        }
        if section.name.ends_with(":children") {
            section.entries.push((line.to_string(), String::new(), line_no));
            continue;
        }
        let tokens = tokens(line);
        let continuation = tokens.first().is_some_and(|t| t.contains('='));
        let mut vars = Vec::new();
        let mut pending_key: Option<String> = None;
        let mut name = None;
        for (n, t) in tokens.iter().enumerate() {
            if let Some(k) = pending_key.take() {
                // `key= value`: the guide's rows have a space after `=`.
                vars.push((k, unquote(t), line_no));
                continue;
            }
            match t.split_once('=') {
                Some((k, "")) => pending_key = Some(k.to_string()),
                Some((k, v)) => vars.push((k.to_string(), unquote(v), line_no)),
                None if n == 0 => name = Some(t.clone()),
                None => vars.push((t.clone(), String::new(), line_no)),
            }
        }
        if let Some(k) = pending_key {
            vars.push((k, String::new(), line_no));
        }
        match (continuation, section.hosts.last_mut()) {
            (true, Some(last)) => last.vars.extend(vars),
            _ => section.hosts.push(HostRow { name: name.unwrap_or_default(), vars, line: line_no }),
        }
    }
    if let Some(s) = current.take() {
        inv.sections.push(s);
    }
    inv
}

fn strip_comment(line: &str) -> &str {
    let t = line.trim_start();
    if t.starts_with('#') || t.starts_with(';') {
        return "";
    }
    match line.find(" #") {
        Some(i) => &line[..i],
        None => line,
    }
}

/// Splits on whitespace outside quotes.
fn tokens(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote = None;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                cur.push(c);
            }
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                cur.push(c);
            }
            None if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            None => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn unquote(v: &str) -> String {
    let b = v.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        v[1..v.len() - 1].to_string()
    } else {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rows_continue_on_the_next_line_and_children_expand() {
        let inv = super::parse(
            "[master]\nm0 ansible_ssh_host= 10.0.0.1 a=\"x y\"\ninternal_interface=em2\n[worker]\nw0 ansible_host=10.0.0.2\n[all:children]\nmaster\nworker\n",
        );
        let m0 = &inv.section("master").unwrap().hosts[0];
        assert_eq!(m0.get("ansible_ssh_host"), Some("10.0.0.1"));
        assert_eq!(m0.get("a"), Some("x y"));
        assert_eq!(m0.get("internal_interface"), Some("em2"));
        assert_eq!(inv.hosts_of("all"), ["m0", "w0"]);
        assert_eq!(inv.var("m0", "internal_interface"), Some(("em2", 3)));
    }
}
