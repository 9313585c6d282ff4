//! The `sed` and `perl -p` scripts whose effect on a file is known exactly: substitutions
//! (`s/RE/REPLACEMENT/FLAGS`) and, for `sed`, line deletions (`d`), with line-number, last-line
//! and regular-expression addresses.
//!
//! POSIX basic and extended regular expressions are translated into the `regex` crate's syntax
//! only where the translation is exact: POSIX matching is leftmost-longest and the crate's is
//! leftmost-first, which differ only through alternation and repeated groups, so patterns with
//! either (and back-references, which the crate lacks) are refused. A script that is refused is
//! one whose effect the hook cannot know; it says why.

use regex::{Captures, Regex};

/// A script whose effect is known.
#[derive(Debug)]
pub struct Script {
    commands: Vec<Command>,
}

#[derive(Debug)]
struct Command {
    address: Option<Address>,
    action: Action,
}

#[derive(Debug)]
struct Address {
    start: Selector,
    /// The end of a range (`1,/x/`), if any.
    end: Option<Selector>,
}

#[derive(Debug)]
enum Selector {
    Line(usize),
    Last,
    Match(Regex),
}

#[derive(Debug)]
enum Action {
    Substitute {
        regex: Regex,
        replacement: Vec<Piece>,
        /// Every match from `nth` on, rather than the `nth` alone.
        global: bool,
        /// 1-based.
        nth: usize,
    },
    Delete,
}

#[derive(Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Group(usize),
}

/// Why a script's effect cannot be known.
pub type Refusal = String;

impl Script {
    /// The text after the script has run over every line of `text`.
    pub fn apply(&self, text: &str) -> String {
        let mut res = String::with_capacity(text.len());
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let n_lines = lines.len();
        // Whether each ranged command is inside its range.
        let mut active = vec![false; self.commands.len()];
        'lines: for (index, raw) in lines.iter().enumerate() {
            let number = index + 1;
            let last = number == n_lines;
            let (line, newline) = match raw.strip_suffix('\n') {
                Some(line) => (line, "\n"),
                None => (*raw, ""),
            };
            let mut line = line.to_owned();
            for (position, command) in self.commands.iter().enumerate() {
                let selected = match &command.address {
                    None => true,
                    Some(address) => address.selects(&line, number, last, &mut active[position]),
                };
                if !selected {
                    continue;
                }
                match &command.action {
                    Action::Delete => continue 'lines,
                    Action::Substitute {
                        regex,
                        replacement,
                        global,
                        nth,
                    } => line = substitute(regex, replacement, *global, *nth, &line),
                }
            }
            res.push_str(&line);
            res.push_str(newline);
        }
        res
    }
}

impl Address {
    fn selects(&self, line: &str, number: usize, last: bool, active: &mut bool) -> bool {
        let Some(end) = &self.end else {
            return self.start.matches(line, number, last);
        };
        if *active {
            let ends = match end {
                // A line number at or before the current line ends the range here.
                Selector::Line(at) => number >= *at,
                other => other.matches(line, number, last),
            };
            if ends {
                *active = false;
            }
            return true;
        }
        if !self.start.matches(line, number, last) {
            return false;
        }
        // The end is looked for from the next line on; a line number already passed ends
        // the range at once.
        *active = !matches!(end, Selector::Line(at) if *at <= number);
        true
    }
}

impl Selector {
    fn matches(&self, line: &str, number: usize, last: bool) -> bool {
        match self {
            Selector::Line(at) => *at == number,
            Selector::Last => last,
            Selector::Match(regex) => regex.is_match(line),
        }
    }
}

fn substitute(
    regex: &Regex,
    replacement: &[Piece],
    global: bool,
    nth: usize,
    line: &str,
) -> String {
    let mut res = String::with_capacity(line.len());
    let mut copied = 0;
    for (index, captures) in regex.captures_iter(line).enumerate() {
        let count = index + 1;
        if count < nth {
            continue;
        }
        let Some(whole) = captures.get(0) else {
            continue;
        };
        res.push_str(&line[copied..whole.start()]);
        expand(replacement, &captures, &mut res);
        copied = whole.end();
        if !global {
            break;
        }
    }
    res.push_str(&line[copied..]);
    res
}

fn expand(replacement: &[Piece], captures: &Captures<'_>, res: &mut String) {
    for piece in replacement {
        match piece {
            Piece::Text(text) => res.push_str(text),
            Piece::Group(group) => {
                if let Some(matched) = captures.get(*group) {
                    res.push_str(matched.as_str());
                }
            }
        }
    }
}

/// A `sed` script (the `-e` scripts joined by newlines); `extended` for `-E`/`-r`.
pub fn parse_sed(script: &str, extended: bool) -> Result<Script, Refusal> {
    let chars: Vec<char> = script.chars().collect();
    let mut at = 0;
    let mut commands = Vec::new();
    loop {
        while chars
            .get(at)
            .is_some_and(|c| c.is_whitespace() || *c == ';')
        {
            at += 1;
        }
        if at >= chars.len() {
            break;
        }
        let address = parse_address(&chars, &mut at, extended)?;
        while chars.get(at).is_some_and(|c| *c == ' ' || *c == '\t') {
            at += 1;
        }
        let action = match chars.get(at) {
            Some('d') => {
                at += 1;
                Action::Delete
            }
            Some('s') => {
                at += 1;
                parse_sed_substitution(&chars, &mut at, extended)?
            }
            Some(other) => return Err(format!("the sed command `{other}` is not simulated")),
            None => return Err("the sed script ends after an address".to_owned()),
        };
        while chars.get(at).is_some_and(|c| *c == ' ' || *c == '\t') {
            at += 1;
        }
        match chars.get(at) {
            None | Some(';' | '\n') => {}
            Some(other) => {
                return Err(format!(
                    "the sed script goes on with `{other}`, which is not simulated"
                ));
            }
        }
        commands.push(Command { address, action });
    }
    if commands.is_empty() {
        return Err("the sed script is empty".to_owned());
    }
    Ok(Script { commands })
}

fn parse_address(
    chars: &[char],
    at: &mut usize,
    extended: bool,
) -> Result<Option<Address>, Refusal> {
    let Some(start) = parse_selector(chars, at, extended)? else {
        return Ok(None);
    };
    let end = if chars.get(*at) == Some(&',') {
        *at += 1;
        match parse_selector(chars, at, extended)? {
            Some(end) => Some(end),
            None => return Err("the sed address range is not simulated".to_owned()),
        }
    } else {
        None
    };
    if chars.get(*at) == Some(&'!') {
        return Err("negated sed addresses are not simulated".to_owned());
    }
    Ok(Some(Address { start, end }))
}

fn parse_selector(
    chars: &[char],
    at: &mut usize,
    extended: bool,
) -> Result<Option<Selector>, Refusal> {
    match chars.get(*at) {
        Some(c) if c.is_ascii_digit() => {
            let begin = *at;
            while chars.get(*at).is_some_and(char::is_ascii_digit) {
                *at += 1;
            }
            let digits: String = chars[begin..*at].iter().collect();
            match digits.parse::<usize>() {
                Ok(number) if number > 0 && chars.get(*at) != Some(&'~') => {
                    Ok(Some(Selector::Line(number)))
                }
                _ => Err("the sed line address is not simulated".to_owned()),
            }
        }
        Some('$') => {
            *at += 1;
            Ok(Some(Selector::Last))
        }
        Some('/') => {
            *at += 1;
            let pattern = delimited(chars, at, '/')?;
            let regex = compile(&translate(&pattern, extended, '/')?, false)?;
            if chars.get(*at).is_some_and(|c| matches!(c, 'I' | 'M')) {
                return Err("sed address flags are not simulated".to_owned());
            }
            Ok(Some(Selector::Match(regex)))
        }
        Some('\\') => Err("sed addresses with a custom delimiter are not simulated".to_owned()),
        _ => Ok(None),
    }
}

/// The text up to the next unescaped `delimiter`, escapes kept; `at` moves past the delimiter.
fn delimited(chars: &[char], at: &mut usize, delimiter: char) -> Result<String, Refusal> {
    let mut res = String::new();
    while let Some(&c) = chars.get(*at) {
        *at += 1;
        if c == '\\' {
            let Some(&next) = chars.get(*at) else {
                break;
            };
            *at += 1;
            res.push('\\');
            res.push(next);
        } else if c == delimiter {
            return Ok(res);
        } else if c == '\n' {
            break;
        } else {
            res.push(c);
        }
    }
    Err("the substitution is not terminated".to_owned())
}

fn parse_sed_substitution(
    chars: &[char],
    at: &mut usize,
    extended: bool,
) -> Result<Action, Refusal> {
    let Some(&delimiter) = chars.get(*at) else {
        return Err("the substitution is not terminated".to_owned());
    };
    if delimiter == '\\' || delimiter == '\n' {
        return Err("the substitution's delimiter is not simulated".to_owned());
    }
    *at += 1;
    let pattern = delimited(chars, at, delimiter)?;
    let replacement = delimited(chars, at, delimiter)?;
    let mut global = false;
    let mut nth = None;
    let mut insensitive = false;
    while let Some(&flag) = chars.get(*at) {
        match flag {
            'g' => global = true,
            'I' | 'i' => insensitive = true,
            '0'..='9' => {
                let digit = flag.to_digit(10).unwrap_or(0) as usize;
                nth = Some(nth.unwrap_or(0) * 10 + digit);
            }
            ';' | '\n' | ' ' | '\t' | '}' => break,
            other => return Err(format!("the substitution flag `{other}` is not simulated")),
        }
        *at += 1;
    }
    let regex = compile(&translate(&pattern, extended, delimiter)?, insensitive)?;
    let nth = nth.unwrap_or(1);
    if nth == 0 {
        return Err("the substitution flag `0` is not valid".to_owned());
    }
    Ok(Action::Substitute {
        regex,
        replacement: sed_replacement(&replacement, delimiter)?,
        global,
        nth,
    })
}

fn compile(pattern: &str, insensitive: bool) -> Result<Regex, Refusal> {
    let pattern = if insensitive {
        format!("(?i){pattern}")
    } else {
        pattern.to_owned()
    };
    regex::RegexBuilder::new(&pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|_| "the regular expression is not one the simulation reads exactly".to_owned())
}

/// The replacement of a `sed` substitution: `&`, `\1`…`\9`, and escapes.
fn sed_replacement(text: &str, delimiter: char) -> Result<Vec<Piece>, Refusal> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '&' => {
                flush(&mut literal, &mut pieces);
                pieces.push(Piece::Group(0));
            }
            '\\' => match chars.next() {
                Some(digit @ '1'..='9') => {
                    flush(&mut literal, &mut pieces);
                    pieces.push(Piece::Group(digit.to_digit(10).unwrap_or(0) as usize));
                }
                Some('n') => literal.push('\n'),
                Some('t') => literal.push('\t'),
                Some(escaped @ ('&' | '\\')) => literal.push(escaped),
                Some(escaped) if escaped == delimiter => literal.push(escaped),
                Some('\n') => literal.push('\n'),
                Some(other) => {
                    return Err(format!(
                        "the replacement escape `\\{other}` is not simulated"
                    ));
                }
                None => literal.push('\\'),
            },
            other => literal.push(other),
        }
    }
    flush(&mut literal, &mut pieces);
    Ok(pieces)
}

fn flush(literal: &mut String, pieces: &mut Vec<Piece>) {
    if !literal.is_empty() {
        pieces.push(Piece::Text(std::mem::take(literal)));
    }
}

/// What the last atom written was, to refuse repeating a group.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Atom {
    None,
    Plain,
    Group,
}

/// A POSIX basic (`extended` false) or extended regular expression in the `regex` crate's
/// syntax, when the two match the same text the same way.
fn translate(pattern: &str, extended: bool, delimiter: char) -> Result<String, Refusal> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut res = String::new();
    let mut at = 0;
    let mut last = Atom::None;
    // Whether the previous token opened a group or started the pattern (for `^` and `*`).
    let mut at_start = true;
    let alternation = || Err("alternation (`|`) is not simulated exactly".to_owned());
    let repeated_group = || Err("a repeated group is not simulated exactly".to_owned());
    while let Some(&c) = chars.get(at) {
        at += 1;
        let was_start = at_start;
        at_start = false;
        match c {
            '\\' => {
                let Some(&next) = chars.get(at) else {
                    return Err("the regular expression ends with `\\`".to_owned());
                };
                at += 1;
                match next {
                    '(' if !extended => {
                        res.push('(');
                        at_start = true;
                        last = Atom::None;
                        continue;
                    }
                    ')' if !extended => {
                        res.push(')');
                        last = Atom::Group;
                        continue;
                    }
                    '{' if !extended => {
                        if last == Atom::Group {
                            return repeated_group();
                        }
                        let end = interval_end(&chars, at, "\\}")?;
                        let body: String = chars[at..end].iter().collect();
                        res.push('{');
                        res.push_str(&body);
                        res.push('}');
                        at = end + 2;
                        continue;
                    }
                    '|' if !extended => return alternation(),
                    '+' | '?' if !extended => {
                        if last == Atom::Group {
                            return repeated_group();
                        }
                        res.push(next);
                        continue;
                    }
                    '1'..='9' => return Err("back-references are not simulated".to_owned()),
                    'n' => res.push_str("\\n"),
                    't' => res.push_str("\\t"),
                    'w' | 'W' | 's' | 'S' | 'b' | 'B' => {
                        res.push('\\');
                        res.push(next);
                    }
                    '<' => res.push_str("\\b{start}"),
                    '>' => res.push_str("\\b{end}"),
                    '`' => res.push_str("\\A"),
                    '\'' => res.push_str("\\z"),
                    '.' | '*' | '[' | ']' | '\\' | '^' | '$' | '/' => {
                        res.push_str(&regex::escape(&next.to_string()));
                    }
                    '(' | ')' | '{' | '}' | '|' | '+' | '?' if extended => {
                        res.push_str(&regex::escape(&next.to_string()));
                    }
                    other if other == delimiter => {
                        res.push_str(&regex::escape(&other.to_string()));
                    }
                    other => {
                        return Err(format!(
                            "the regular expression escape `\\{other}` is not simulated"
                        ));
                    }
                }
                last = Atom::Plain;
            }
            '*' if !extended && was_start => {
                res.push_str("\\*");
                last = Atom::Plain;
            }
            '*' | '+' | '?' if extended || c == '*' => {
                if last == Atom::Group {
                    return repeated_group();
                }
                if last == Atom::None {
                    return Err("a repetition of nothing is not simulated".to_owned());
                }
                res.push(c);
            }
            '{' if extended => {
                if last == Atom::Group {
                    return repeated_group();
                }
                let end = interval_end(&chars, at, "}")?;
                let body: String = chars[at..end].iter().collect();
                res.push('{');
                res.push_str(&body);
                res.push('}');
                at = end + 1;
            }
            '(' if extended => {
                res.push('(');
                at_start = true;
                last = Atom::None;
            }
            ')' if extended => {
                res.push(')');
                last = Atom::Group;
            }
            '|' if extended => return alternation(),
            '^' if extended || was_start => {
                res.push('^');
                at_start = true;
            }
            '$' if extended
                || at == chars.len()
                || chars.get(at..at + 2) == Some(&['\\', ')'][..]) =>
            {
                res.push('$');
            }
            '[' => {
                at = bracket(&chars, at, &mut res)?;
                last = Atom::Plain;
            }
            '.' => {
                res.push('.');
                last = Atom::Plain;
            }
            other => {
                res.push_str(&regex::escape(&other.to_string()));
                last = Atom::Plain;
            }
        }
    }
    Ok(res)
}

/// Where an interval's closing `close` starts, checking that its body is `m`, `m,` or `m,n`.
fn interval_end(chars: &[char], from: usize, close: &str) -> Result<usize, Refusal> {
    let rest: String = chars[from..].iter().collect();
    let Some(end) = rest.find(close) else {
        return Err("the interval is not closed".to_owned());
    };
    let body = &rest[..end];
    let valid = !body.is_empty()
        && body.chars().all(|c| c.is_ascii_digit() || c == ',')
        && body.matches(',').count() <= 1
        && !body.starts_with(',');
    if !valid {
        return Err("the interval is not simulated".to_owned());
    }
    Ok(from + body.chars().count())
}

/// Translates a bracket expression starting after its `[`; returns where it ends.
fn bracket(chars: &[char], mut at: usize, res: &mut String) -> Result<usize, Refusal> {
    res.push('[');
    if chars.get(at) == Some(&'^') {
        res.push('^');
        at += 1;
    }
    let mut first = true;
    loop {
        let Some(&c) = chars.get(at) else {
            return Err("the bracket expression is not closed".to_owned());
        };
        at += 1;
        match c {
            ']' if !first => {
                res.push(']');
                return Ok(at);
            }
            '[' if matches!(chars.get(at), Some(':')) => {
                let rest: String = chars[at..].iter().collect();
                let Some(end) = rest.find(":]") else {
                    return Err("the character class is not closed".to_owned());
                };
                res.push('[');
                res.push_str(&rest[..end + 2]);
                at += rest[..end + 2].chars().count();
            }
            '[' if matches!(chars.get(at), Some('=' | '.')) => {
                return Err("collating elements are not simulated".to_owned());
            }
            '-' if chars.get(at) == Some(&'-') => {
                return Err("this bracket expression is not simulated exactly".to_owned());
            }
            '-' if first || chars.get(at) == Some(&']') => res.push_str("\\-"),
            '\\' | '[' | ']' | '&' | '~' | '^' => {
                res.push('\\');
                res.push(c);
            }
            other => res.push(other),
        }
        first = false;
    }
}

/// The code of `perl -p -e CODE`: substitutions (`s/RE/REPLACEMENT/FLAGS`) separated by `;`.
/// Perl's expressions are read by the `regex` crate, which matches leftmost-first as Perl
/// does; what it does not read (look-around, back-references) is refused. Each line is matched
/// without its newline, so constructs that could match a newline are refused too.
pub fn parse_perl(code: &str) -> Result<Script, Refusal> {
    let chars: Vec<char> = code.chars().collect();
    let mut at = 0;
    let mut commands = Vec::new();
    loop {
        while chars
            .get(at)
            .is_some_and(|c| c.is_whitespace() || *c == ';')
        {
            at += 1;
        }
        if at >= chars.len() {
            break;
        }
        if chars.get(at) != Some(&'s') {
            return Err("only `s///` substitutions are simulated in perl code".to_owned());
        }
        at += 1;
        let Some(&delimiter) = chars.get(at) else {
            return Err("the substitution is not terminated".to_owned());
        };
        if delimiter.is_alphanumeric()
            || delimiter.is_whitespace()
            || matches!(delimiter, '{' | '(' | '[' | '<' | '\\')
        {
            return Err("the substitution's delimiter is not simulated".to_owned());
        }
        at += 1;
        let pattern = delimited(&chars, &mut at, delimiter)?;
        let replacement = delimited(&chars, &mut at, delimiter)?;
        let mut global = false;
        let mut inline = String::new();
        while let Some(&flag) = chars.get(at) {
            match flag {
                'g' => global = true,
                'i' | 'm' | 'x' => inline.push(flag),
                ';' => break,
                c if c.is_whitespace() => break,
                other => return Err(format!("the substitution flag `{other}` is not simulated")),
            }
            at += 1;
        }
        for risky in [
            "\\s", "\\n", "\\D", "\\W", "\\S", "\\z", "\\Z", "\\R", "\\v", "\\x", "\\c", "\\N",
            "\\0", "\\o", "[^", "(?s",
        ] {
            if pattern.contains(risky) {
                return Err(format!(
                    "`{risky}` may match the line's newline, which the simulation does not read"
                ));
            }
        }
        let mut source = pattern.clone();
        if delimiter != '/' {
            source = source.replace(
                &format!("\\{delimiter}"),
                &regex::escape(&delimiter.to_string()),
            );
        }
        let source = if inline.is_empty() {
            source
        } else {
            format!("(?{inline}){source}")
        };
        let regex = compile(&source, false)?;
        commands.push(Command {
            address: None,
            action: Action::Substitute {
                regex,
                replacement: perl_replacement(&replacement)?,
                global,
                nth: 1,
            },
        });
    }
    if commands.is_empty() {
        return Err("the perl code is empty".to_owned());
    }
    Ok(Script { commands })
}

/// The replacement of a Perl substitution: `$1`, `${1}`, `$&`, `\1`, and escapes; variables
/// are refused.
fn perl_replacement(text: &str) -> Result<Vec<Piece>, Refusal> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut at = 0;
    while let Some(&c) = chars.get(at) {
        at += 1;
        match c {
            '$' => {
                let group = match chars.get(at) {
                    Some('&') => {
                        at += 1;
                        Some(0)
                    }
                    Some(digit) if digit.is_ascii_digit() => {
                        at += 1;
                        digit.to_digit(10).map(|digit| digit as usize)
                    }
                    Some('{') => {
                        let rest: String = chars[at + 1..].iter().collect();
                        let end = rest.find('}');
                        let number = end.and_then(|end| rest[..end].parse::<usize>().ok());
                        if let (Some(end), Some(_)) = (end, number) {
                            at += end + 2;
                        }
                        number
                    }
                    _ => None,
                };
                let Some(group) = group else {
                    return Err("the replacement interpolates a variable".to_owned());
                };
                flush(&mut literal, &mut pieces);
                pieces.push(Piece::Group(group));
            }
            '@' => return Err("the replacement interpolates an array".to_owned()),
            '\\' => {
                let next = chars.get(at).copied();
                at += 1;
                match next {
                    Some(digit @ '1'..='9') => {
                        flush(&mut literal, &mut pieces);
                        pieces.push(Piece::Group(digit.to_digit(10).unwrap_or(0) as usize));
                    }
                    Some('n') => literal.push('\n'),
                    Some('t') => literal.push('\t'),
                    Some(other) if !other.is_alphanumeric() => literal.push(other),
                    Some(other) => {
                        return Err(format!(
                            "the replacement escape `\\{other}` is not simulated"
                        ));
                    }
                    None => literal.push('\\'),
                }
            }
            other => literal.push(other),
        }
    }
    flush(&mut literal, &mut pieces);
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn sed(script: &str, extended: bool, text: &str) -> Result<String, Refusal> {
        parse_sed(script, extended).map(|script| script.apply(text))
    }

    #[test]
    fn sed_substitutions_and_deletions() {
        let text = "resource \"aws_db_instance\" \"main\" {\n  a = 1\n}\nlast";
        assert_eq!(
            sed(
                r#"s/aws_db_instance" "main"/aws_db_instance" "primary"/"#,
                false,
                text
            )
            .unwrap(),
            "resource \"aws_db_instance\" \"primary\" {\n  a = 1\n}\nlast"
        );
        assert_eq!(sed("s/a/X/g", false, "aaa\n").unwrap(), "XXX\n");
        assert_eq!(sed("s/a/X/2", false, "aaa\n").unwrap(), "aXa\n");
        assert_eq!(sed("s/a/X/2g", false, "aaa\n").unwrap(), "aXX\n");
        assert_eq!(
            sed(r"s/\(a\)\(b\)/\2\1&/", false, "ab\n").unwrap(),
            "baab\n"
        );
        assert_eq!(
            sed(r"s/(a)+/[&]/", true, "aab\n").unwrap_err(),
            "a repeated group is not simulated exactly"
        );
        assert_eq!(sed(r"s/a\{2\}/X/", false, "aaa\n").unwrap(), "Xa\n");
        assert_eq!(sed(r"s/a+/X/", false, "a+a\n").unwrap(), "Xa\n");
        assert_eq!(sed(r"s/a\+/X/", false, "aa+\n").unwrap(), "X+\n");
        assert_eq!(sed(r"s/^*x$/Y/", false, "*x\n").unwrap(), "Y\n");
        assert_eq!(sed(r"s/a$b/Y/", false, "a$b\n").unwrap(), "Y\n");
        assert_eq!(
            sed(r"s|/tmp|/var|g", false, "/tmp/a\n").unwrap(),
            "/var/a\n"
        );
        assert_eq!(sed(r"s/[]x]/Y/g", false, "a]x\n").unwrap(), "aYY\n");
        assert_eq!(
            sed(r"s/[[:digit:]]\{1,\}/N/", false, "v12x\n").unwrap(),
            "vNx\n"
        );
        assert_eq!(sed("s/x/Y/I", false, "aX\n").unwrap(), "aY\n");
        assert_eq!(sed("/db/d", false, "a\ndb\nc\n").unwrap(), "a\nc\n");
        assert_eq!(sed("2,3d", false, "1\n2\n3\n4\n").unwrap(), "1\n4\n");
        assert_eq!(
            sed("/b/,/c/d;s/a/A/", false, "a\nb\nx\nc\nd\n").unwrap(),
            "A\nd\n"
        );
        assert_eq!(sed("$d", false, "1\n2\n").unwrap(), "1\n");
        for refused in [
            r"s/a\|b/X/",
            r"s/\(a\)\1/X/",
            "y/ab/cd/",
            "s/a/\\U&/",
            "s/a/b/w out",
            "1~2d",
            "/a/!d",
            "s/a/b",
        ] {
            assert!(sed(refused, false, "a\n").is_err(), "{refused}");
        }
        assert!(sed("s/a|b/X/", true, "a\n").is_err());
        assert_eq!(sed("s/a|b/X/", false, "a|b\n").unwrap(), "X\n");
    }

    #[test]
    fn perl_substitutions() {
        let perl = |code: &str, text: &str| parse_perl(code).map(|script| script.apply(text));
        assert_eq!(perl("s/foo/bar/g", "foo foo\nx").unwrap(), "bar bar\nx");
        assert_eq!(perl(r"s/(\w+)=(\d+)/$2=${1}/", "a=1\n").unwrap(), "1=a\n");
        assert_eq!(perl("s/FOO/x/i; s#a#b#", "foo a\n").unwrap(), "x b\n");
        for refused in [
            r"s/\s+$//",
            "s/a/$x/",
            "s/(?=a)/x/",
            "print",
            "s/a/b/e",
            r"s/(a)\1/x/",
        ] {
            assert!(perl(refused, "a\n").is_err(), "{refused}");
        }
    }
}
