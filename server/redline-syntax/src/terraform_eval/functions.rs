//! Terraform's built-in functions that configurations use to compute protective settings,
//! names and policies. Each one gives a value only when the arguments it needs are known;
//! any other function gives `Unknown`.
//!
//! `try` and `can` need unevaluated arguments and live in the evaluator.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::{
    Conversion, Invalid, Part, TemplateBuilder, Value, as_index, format_number, is_opaque, same,
    to_bool, to_number, to_text,
};

/// What a function gives: a value, or `Err` when Terraform would reject the call.
pub(crate) type Outcome = Result<Value, Invalid>;

/// How deep `flatten` descends into nested lists.
const MAX_FLATTEN_DEPTH: usize = 64;

/// How wide a `format` verb may pad.
const MAX_FORMAT_WIDTH: usize = 64;

/// Whether `name` is a function the evaluator knows (besides `try` and `can`).
pub(crate) fn is_known(name: &str) -> bool {
    matches!(
        name,
        "concat"
            | "merge"
            | "lookup"
            | "coalesce"
            | "coalescelist"
            | "format"
            | "join"
            | "split"
            | "lower"
            | "upper"
            | "trimspace"
            | "replace"
            | "startswith"
            | "endswith"
            | "tolist"
            | "toset"
            | "tomap"
            | "tostring"
            | "tonumber"
            | "tobool"
            | "jsonencode"
            | "length"
            | "contains"
            | "element"
            | "flatten"
            | "keys"
            | "values"
            | "zipmap"
            | "compact"
            | "distinct"
            | "sort"
            | "one"
            | "min"
            | "max"
            | "abs"
    )
}

/// What a function may still build, in the units of `cost`.
pub(crate) struct Budget {
    /// The units left.
    pub(crate) remaining: usize,
    /// Set when a function gave `Unknown` because its result would not fit.
    pub(crate) exceeded: bool,
}

impl Budget {
    /// Whether a result of `size` units fits; notes it when not.
    fn allows(&mut self, size: usize) -> bool {
        if size > self.remaining {
            self.exceeded = true;
            return false;
        }
        true
    }
}

/// Calls the function `name` with evaluated arguments; a result that would not fit in
/// `budget` is `Unknown`.
pub(crate) fn call(name: &str, args: Vec<Value>, budget: &mut Budget) -> Outcome {
    match name {
        "concat" => concat(args),
        "merge" => merge(args),
        "lookup" => lookup(args),
        "coalesce" => coalesce(args),
        "coalescelist" => coalescelist(args),
        "format" => format(args, budget),
        "join" => join(args, budget),
        "split" => split(&args, budget),
        "lower" => map_text(&args, |text| text.to_lowercase()),
        "upper" => map_text(&args, |text| text.to_uppercase()),
        "trimspace" => map_text(&args, |text| text.trim().to_owned()),
        "replace" => replace(&args, budget),
        "startswith" => text_test(&args, |text, prefix| text.starts_with(prefix)),
        "endswith" => text_test(&args, |text, suffix| text.ends_with(suffix)),
        "tolist" => tolist(args),
        "toset" => toset(args),
        "tomap" => tomap(args),
        "tostring" => tostring(args),
        "tonumber" => convert(&args, to_number, Value::Number),
        "tobool" => convert(&args, to_bool, Value::Bool),
        "jsonencode" => jsonencode(&args),
        "length" => length(&args),
        "contains" => contains(&args),
        "element" => element(args),
        "flatten" => flatten(args),
        "keys" => keys_or_values(args, true),
        "values" => keys_or_values(args, false),
        "zipmap" => zipmap(args),
        "compact" => compact(args),
        "distinct" => distinct(args),
        "sort" => sort(args),
        "one" => one(args),
        "min" => fold_numbers(&args, f64::min),
        "max" => fold_numbers(&args, f64::max),
        "abs" => convert(&args, to_number, |n| Value::Number(n.abs())),
        _ => Ok(Value::Unknown),
    }
}

fn single(args: Vec<Value>) -> Result<Value, Invalid> {
    let mut args = args.into_iter();
    match (args.next(), args.next()) {
        (Some(value), None) => Ok(value),
        _ => Err(Invalid),
    }
}

fn concat(args: Vec<Value>) -> Outcome {
    let mut res = Vec::new();
    for arg in args {
        match arg {
            Value::List(items) => res.extend(items),
            other if is_opaque(&other) => return Ok(Value::Unknown),
            _ => return Err(Invalid),
        }
    }
    Ok(Value::List(res))
}

fn merge(args: Vec<Value>) -> Outcome {
    let mut res = BTreeMap::new();
    for arg in args {
        match arg {
            Value::Map(entries) => res.extend(entries),
            Value::Null => {}
            other if is_opaque(&other) => return Ok(Value::Unknown),
            _ => return Err(Invalid),
        }
    }
    Ok(Value::Map(res))
}

fn lookup(args: Vec<Value>) -> Outcome {
    let mut args = args.into_iter();
    let (Some(map), Some(key), default, None) =
        (args.next(), args.next(), args.next(), args.next())
    else {
        return Err(Invalid);
    };
    let key = match to_text(&key) {
        Conversion::Known(key) => key,
        Conversion::Unknown => return Ok(Value::Unknown),
        Conversion::Invalid => return Err(Invalid),
    };
    match map {
        Value::Map(mut entries) => match (entries.remove(&key), default) {
            (Some(value), _) | (None, Some(value)) => Ok(value),
            (None, None) => Err(Invalid),
        },
        other if is_opaque(&other) => Ok(Value::Unknown),
        _ => Err(Invalid),
    }
}

fn coalesce(args: Vec<Value>) -> Outcome {
    for arg in args {
        match &arg {
            Value::Null => {}
            Value::String(text) if text.is_empty() => {}
            // A template with known text is not empty; one without may be.
            Value::Template(parts) if parts.iter().any(|part| matches!(part, Part::Text(_))) => {
                return Ok(arg);
            }
            Value::Template(_) | Value::Unknown | Value::Reference(_) => {
                return Ok(Value::Unknown);
            }
            _ => return Ok(arg),
        }
    }
    Err(Invalid)
}

fn coalescelist(args: Vec<Value>) -> Outcome {
    for arg in args {
        match &arg {
            Value::List(items) if items.is_empty() => {}
            Value::List(_) => return Ok(arg),
            other if is_opaque(other) => return Ok(Value::Unknown),
            _ => return Err(Invalid),
        }
    }
    Err(Invalid)
}

/// `format` with the verbs configurations use: `%s`, `%v`, `%d`, `%t`, `%q`, `%f`, `%%`, with
/// an optional zero-padded width and a precision (six digits for `%f` when none is written).
/// Any other verb gives `Unknown`.
fn format(args: Vec<Value>, budget: &mut Budget) -> Outcome {
    let mut args = args.into_iter();
    let pattern = match args.next().as_ref().map(to_text) {
        Some(Conversion::Known(pattern)) => pattern,
        Some(Conversion::Unknown) => return Ok(Value::Unknown),
        _ => return Err(Invalid),
    };
    let mut res = TemplateBuilder::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            res.push_text(c.encode_utf8(&mut [0; 4]));
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            res.push_text("%");
            continue;
        }
        let zero = chars.next_if_eq(&'0').is_some();
        let width = digits(&mut chars);
        let precision = match chars.next_if_eq(&'.') {
            Some(_) => digits(&mut chars),
            None => Some(6),
        };
        let (Some(width), Some(precision)) = (width, precision) else {
            return Ok(Value::Unknown);
        };
        if width > MAX_FORMAT_WIDTH || precision > MAX_FORMAT_WIDTH {
            return Ok(Value::Unknown);
        }
        let Some(verb) = chars.next() else {
            return Err(Invalid);
        };
        let Some(arg) = args.next() else {
            return Err(Invalid);
        };
        let text = match verb {
            's' | 'v' if width == 0 => {
                if matches!(arg, Value::List(_) | Value::Map(_)) {
                    return Ok(Value::Unknown);
                }
                res.push_value(arg)?;
                continue;
            }
            's' | 'v' => match to_text(&arg) {
                Conversion::Known(text) => text,
                Conversion::Unknown => return Ok(Value::Unknown),
                Conversion::Invalid => return Err(Invalid),
            },
            'd' => match to_number(&arg) {
                Conversion::Known(number) if number.fract() == 0.0 => format_number(number),
                Conversion::Unknown => return Ok(Value::Unknown),
                _ => return Err(Invalid),
            },
            'f' => match to_number(&arg) {
                Conversion::Known(number) => format!("{number:.precision$}"),
                Conversion::Unknown => return Ok(Value::Unknown),
                Conversion::Invalid => return Err(Invalid),
            },
            't' => match to_bool(&arg) {
                Conversion::Known(value) => value.to_string(),
                Conversion::Unknown => return Ok(Value::Unknown),
                Conversion::Invalid => return Err(Invalid),
            },
            'q' => match to_text(&arg) {
                Conversion::Known(text) => json_string(&text, false),
                Conversion::Unknown => return Ok(Value::Unknown),
                Conversion::Invalid => return Err(Invalid),
            },
            _ => return Ok(Value::Unknown),
        };
        res.push_text(&pad(&text, width, zero));
        if !budget.allows(res.len() / 64) {
            return Ok(Value::Unknown);
        }
    }
    if args.next().is_some() {
        return Err(Invalid);
    }
    Ok(res.finish())
}

fn digits(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<usize> {
    let mut res: usize = 0;
    while let Some(digit) = chars.peek().and_then(|c| c.to_digit(10)) {
        chars.next();
        res = res.checked_mul(10)?.checked_add(digit as usize)?;
    }
    Some(res)
}

fn pad(text: &str, width: usize, zero: bool) -> String {
    let len = text.chars().count();
    if len >= width {
        return text.to_owned();
    }
    let fill = width - len;
    match (zero, text.strip_prefix('-')) {
        (true, Some(rest)) => format!("-{}{rest}", "0".repeat(fill)),
        (true, None) => format!("{}{text}", "0".repeat(fill)),
        (false, _) => format!("{}{text}", " ".repeat(fill)),
    }
}

fn join(args: Vec<Value>, budget: &mut Budget) -> Outcome {
    let mut args = args.into_iter();
    let separator = match args.next().as_ref().map(to_text) {
        Some(Conversion::Known(separator)) => separator,
        Some(Conversion::Unknown) => return Ok(Value::Unknown),
        _ => return Err(Invalid),
    };
    let mut res = TemplateBuilder::new();
    let mut first = true;
    let mut lists = 0;
    for list in args {
        lists += 1;
        let items = match list {
            Value::List(items) => items,
            other if is_opaque(&other) => return Ok(Value::Unknown),
            _ => return Err(Invalid),
        };
        for item in items {
            if !first {
                res.push_text(&separator);
            }
            first = false;
            res.push_value(item)?;
            if !budget.allows(res.len() / 64) {
                return Ok(Value::Unknown);
            }
        }
    }
    if lists == 0 {
        return Err(Invalid);
    }
    Ok(res.finish())
}

fn split(args: &[Value], budget: &mut Budget) -> Outcome {
    let [separator, text] = args else {
        return Err(Invalid);
    };
    let (separator, text) = match (to_text(separator), to_text(text)) {
        (Conversion::Known(separator), Conversion::Known(text)) => (separator, text),
        (Conversion::Invalid, _) | (_, Conversion::Invalid) => return Err(Invalid),
        _ => return Ok(Value::Unknown),
    };
    let pieces = if separator.is_empty() {
        text.chars().count()
    } else {
        text.matches(separator.as_str()).count() + 1
    };
    if !budget.allows(pieces) {
        return Ok(Value::Unknown);
    }
    if text.is_empty() {
        return Ok(Value::List(vec![Value::String(String::new())]));
    }
    let res = if separator.is_empty() {
        text.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        text.split(separator.as_str())
            .map(|piece| Value::String(piece.to_owned()))
            .collect()
    };
    Ok(Value::List(res))
}

fn map_text(args: &[Value], f: impl Fn(&str) -> String) -> Outcome {
    let [value] = args else {
        return Err(Invalid);
    };
    match to_text(value) {
        Conversion::Known(text) => Ok(Value::String(f(&text))),
        Conversion::Unknown => Ok(Value::Unknown),
        Conversion::Invalid => Err(Invalid),
    }
}

fn text_test(args: &[Value], f: impl Fn(&str, &str) -> bool) -> Outcome {
    let [text, other] = args else {
        return Err(Invalid);
    };
    match (to_text(text), to_text(other)) {
        (Conversion::Known(text), Conversion::Known(other)) => Ok(Value::Bool(f(&text, &other))),
        (Conversion::Invalid, _) | (_, Conversion::Invalid) => Err(Invalid),
        _ => Ok(Value::Unknown),
    }
}

fn replace(args: &[Value], budget: &mut Budget) -> Outcome {
    let [text, search, replacement] = args else {
        return Err(Invalid);
    };
    let (text, search, replacement) = match (to_text(text), to_text(search), to_text(replacement)) {
        (Conversion::Known(a), Conversion::Known(b), Conversion::Known(c)) => (a, b, c),
        (Conversion::Invalid, _, _) | (_, Conversion::Invalid, _) | (_, _, Conversion::Invalid) => {
            return Err(Invalid);
        }
        _ => return Ok(Value::Unknown),
    };
    // `/…/` is a regular expression, which this evaluator does not run.
    let is_pattern = search.len() > 1 && search.starts_with('/') && search.ends_with('/');
    if is_pattern || search.is_empty() {
        return Ok(Value::Unknown);
    }
    let grows = replacement.len().saturating_sub(search.len());
    let size = text.len() + text.matches(search.as_str()).count() * grows;
    if !budget.allows(size / 64) {
        return Ok(Value::Unknown);
    }
    Ok(Value::String(text.replace(search.as_str(), &replacement)))
}

fn tolist(args: Vec<Value>) -> Outcome {
    match single(args)? {
        value @ (Value::List(_) | Value::Null) => Ok(value),
        other if is_opaque(&other) => Ok(Value::Unknown),
        _ => Err(Invalid),
    }
}

fn toset(args: Vec<Value>) -> Outcome {
    match single(args)? {
        Value::List(items) => to_set(items),
        Value::Null => Ok(Value::Null),
        other if is_opaque(&other) => Ok(Value::Unknown),
        _ => Err(Invalid),
    }
}

/// A set of primitive values: sorted, without duplicates. Mixed types become strings, as
/// Terraform unifies a set's element type.
pub(crate) fn to_set(items: Vec<Value>) -> Outcome {
    if items.iter().any(|item| !item.is_known()) {
        return Ok(Value::Unknown);
    }
    let first_kind = items.first().map(std::mem::discriminant);
    let mixed = items
        .iter()
        .any(|item| Some(std::mem::discriminant(item)) != first_kind);
    let mut res = Vec::with_capacity(items.len());
    for item in items {
        let item = match item {
            Value::Null => return Err(Invalid),
            Value::List(_) | Value::Map(_) => return Ok(Value::Unknown),
            item if mixed => match to_text(&item) {
                Conversion::Known(text) => Value::String(text),
                _ => return Err(Invalid),
            },
            item => item,
        };
        res.push(item);
    }
    res.sort_by(compare_primitive);
    res.dedup();
    Ok(Value::List(res))
}

fn compare_primitive(left: &Value, right: &Value) -> Ordering {
    match (left, right) {
        (Value::Number(a), Value::Number(b)) => a.total_cmp(b),
        (Value::String(a), Value::String(b)) => a.cmp(b),
        (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
        _ => Ordering::Equal,
    }
}

fn tomap(args: Vec<Value>) -> Outcome {
    match single(args)? {
        value @ (Value::Map(_) | Value::Null) => Ok(value),
        other if is_opaque(&other) => Ok(Value::Unknown),
        _ => Err(Invalid),
    }
}

fn tostring(args: Vec<Value>) -> Outcome {
    match single(args)? {
        value @ (Value::Null | Value::Template(_)) => Ok(value),
        value => match to_text(&value) {
            Conversion::Known(text) => Ok(Value::String(text)),
            Conversion::Unknown => Ok(Value::Unknown),
            Conversion::Invalid => Err(Invalid),
        },
    }
}

fn convert<T>(
    args: &[Value],
    conversion: impl Fn(&Value) -> Conversion<T>,
    wrap: impl Fn(T) -> Value,
) -> Outcome {
    let [value] = args else {
        return Err(Invalid);
    };
    if *value == Value::Null {
        return Ok(Value::Null);
    }
    match conversion(value) {
        Conversion::Known(converted) => Ok(wrap(converted)),
        Conversion::Unknown => Ok(Value::Unknown),
        Conversion::Invalid => Err(Invalid),
    }
}

fn jsonencode(args: &[Value]) -> Outcome {
    let [value] = args else {
        return Err(Invalid);
    };
    if !value.is_known() {
        return Ok(Value::Unknown);
    }
    let mut res = String::new();
    write_json(value, &mut res);
    Ok(Value::String(res))
}

/// Writes a fully known value as `jsonencode` does: keys sorted, `<`, `>` and `&` escaped as
/// Go's encoder escapes them.
fn write_json(value: &Value, res: &mut String) {
    match value {
        Value::Null => res.push_str("null"),
        Value::Bool(value) => res.push_str(if *value { "true" } else { "false" }),
        Value::Number(number) => res.push_str(&format_number(*number)),
        Value::String(text) => res.push_str(&json_string(text, true)),
        Value::List(items) => {
            res.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    res.push(',');
                }
                write_json(item, res);
            }
            res.push(']');
        }
        Value::Map(entries) => {
            res.push('{');
            for (index, (key, item)) in entries.iter().enumerate() {
                if index > 0 {
                    res.push(',');
                }
                res.push_str(&json_string(key, true));
                res.push(':');
                write_json(item, res);
            }
            res.push('}');
        }
        // Unreachable for fully known values; written as null so the output stays JSON.
        Value::Reference(_) | Value::Template(_) | Value::Unknown => res.push_str("null"),
    }
}

fn json_string(text: &str, escape_html: bool) -> String {
    let mut res = String::with_capacity(text.len() + 2);
    res.push('"');
    for c in text.chars() {
        match c {
            '"' => res.push_str("\\\""),
            '\\' => res.push_str("\\\\"),
            '\n' => res.push_str("\\n"),
            '\r' => res.push_str("\\r"),
            '\t' => res.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' if escape_html => {
                res.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c if u32::from(c) < 0x20 => res.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => res.push(c),
        }
    }
    res.push('"');
    res
}

fn length(args: &[Value]) -> Outcome {
    let [value] = args else {
        return Err(Invalid);
    };
    let len = match value {
        Value::List(items) => items.len(),
        Value::Map(entries) => entries.len(),
        Value::String(text) => text.chars().count(),
        Value::Template(_) | Value::Unknown | Value::Reference(_) => return Ok(Value::Unknown),
        Value::Null | Value::Bool(_) | Value::Number(_) => return Err(Invalid),
    };
    Ok(Value::Number(len as f64))
}

fn contains(args: &[Value]) -> Outcome {
    let [list, wanted] = args else {
        return Err(Invalid);
    };
    match list {
        Value::List(items) if list.is_known() && wanted.is_known() => {
            Ok(Value::Bool(items.iter().any(|item| same(item, wanted))))
        }
        Value::List(_) => Ok(Value::Unknown),
        other if is_opaque(other) => Ok(Value::Unknown),
        _ => Err(Invalid),
    }
}

fn element(args: Vec<Value>) -> Outcome {
    let [list, index] = args.as_slice() else {
        return Err(Invalid);
    };
    let items = match list {
        Value::List(items) if !items.is_empty() => items,
        other if is_opaque(other) => return Ok(Value::Unknown),
        _ => return Err(Invalid),
    };
    match to_number(index) {
        Conversion::Known(number) => {
            let index = as_index(number).ok_or(Invalid)?;
            let at = usize::try_from(index % items.len() as u64).map_err(|_| Invalid)?;
            items.get(at).cloned().ok_or(Invalid)
        }
        Conversion::Unknown => Ok(Value::Unknown),
        Conversion::Invalid => Err(Invalid),
    }
}

fn flatten(args: Vec<Value>) -> Outcome {
    match single(args)? {
        Value::List(items) => {
            let mut res = Vec::new();
            match flatten_into(items, &mut res, 0) {
                Some(()) => Ok(Value::List(res)),
                None => Ok(Value::Unknown),
            }
        }
        other if is_opaque(&other) => Ok(Value::Unknown),
        _ => Err(Invalid),
    }
}

/// `None` when an element of unknown shape makes the length of the result unknown.
fn flatten_into(items: Vec<Value>, res: &mut Vec<Value>, depth: usize) -> Option<()> {
    if depth > MAX_FLATTEN_DEPTH {
        return None;
    }
    for item in items {
        match item {
            Value::List(inner) => flatten_into(inner, res, depth + 1)?,
            item if is_opaque(&item) => return None,
            item => res.push(item),
        }
    }
    Some(())
}

fn keys_or_values(args: Vec<Value>, keys: bool) -> Outcome {
    match single(args)? {
        Value::Map(entries) if keys => Ok(Value::List(
            entries.into_keys().map(Value::String).collect(),
        )),
        Value::Map(entries) => Ok(Value::List(entries.into_values().collect())),
        other if is_opaque(&other) => Ok(Value::Unknown),
        _ => Err(Invalid),
    }
}

fn zipmap(args: Vec<Value>) -> Outcome {
    let mut args = args.into_iter();
    let (Some(keys), Some(values), None) = (args.next(), args.next(), args.next()) else {
        return Err(Invalid);
    };
    let (keys, values) = match (keys, values) {
        (Value::List(keys), Value::List(values)) => (keys, values),
        (keys, values) if is_opaque(&keys) || is_opaque(&values) => return Ok(Value::Unknown),
        _ => return Err(Invalid),
    };
    if keys.len() != values.len() {
        return Err(Invalid);
    }
    let mut res = BTreeMap::new();
    for (key, value) in keys.iter().zip(values) {
        match to_text(key) {
            Conversion::Known(key) => {
                res.insert(key, value);
            }
            Conversion::Unknown => return Ok(Value::Unknown),
            Conversion::Invalid => return Err(Invalid),
        }
    }
    Ok(Value::Map(res))
}

fn compact(args: Vec<Value>) -> Outcome {
    match single(args)? {
        Value::List(items) => {
            let mut res = Vec::with_capacity(items.len());
            for item in items {
                match &item {
                    Value::Null => {}
                    Value::String(text) if text.is_empty() => {}
                    Value::String(_) | Value::Number(_) | Value::Bool(_) => res.push(item),
                    Value::Template(parts) if parts.iter().any(|p| matches!(p, Part::Text(_))) => {
                        res.push(item);
                    }
                    Value::Template(_) | Value::Unknown | Value::Reference(_) => {
                        return Ok(Value::Unknown);
                    }
                    Value::List(_) | Value::Map(_) => return Err(Invalid),
                }
            }
            Ok(Value::List(res))
        }
        other if is_opaque(&other) => Ok(Value::Unknown),
        _ => Err(Invalid),
    }
}

fn distinct(args: Vec<Value>) -> Outcome {
    match single(args)? {
        list @ Value::List(_) if !list.is_known() => Ok(Value::Unknown),
        Value::List(items) => {
            let mut res: Vec<Value> = Vec::with_capacity(items.len());
            for item in items {
                if !res.iter().any(|seen| same(seen, &item)) {
                    res.push(item);
                }
            }
            Ok(Value::List(res))
        }
        other if is_opaque(&other) => Ok(Value::Unknown),
        _ => Err(Invalid),
    }
}

/// `sort`: the strings of a list in lexical order; Terraform converts numbers and booleans
/// to strings first.
fn sort(args: Vec<Value>) -> Outcome {
    match single(args)? {
        list @ Value::List(_) if !list.is_known() => Ok(Value::Unknown),
        Value::List(items) => {
            let mut res = Vec::with_capacity(items.len());
            for item in &items {
                match to_text(item) {
                    Conversion::Known(text) => res.push(text),
                    Conversion::Unknown => return Ok(Value::Unknown),
                    Conversion::Invalid => return Err(Invalid),
                }
            }
            res.sort();
            Ok(Value::List(res.into_iter().map(Value::String).collect()))
        }
        other if is_opaque(&other) => Ok(Value::Unknown),
        _ => Err(Invalid),
    }
}

fn one(args: Vec<Value>) -> Outcome {
    match single(args)? {
        Value::List(items) => {
            let mut items = items.into_iter();
            match (items.next(), items.next()) {
                (None, _) => Ok(Value::Null),
                (Some(item), None) => Ok(item),
                (Some(_), Some(_)) => Err(Invalid),
            }
        }
        Value::Null => Ok(Value::Null),
        other if is_opaque(&other) => Ok(Value::Unknown),
        _ => Err(Invalid),
    }
}

fn fold_numbers(args: &[Value], f: fn(f64, f64) -> f64) -> Outcome {
    let mut res: Option<f64> = None;
    for arg in args {
        match to_number(arg) {
            Conversion::Known(number) => res = Some(res.map_or(number, |so_far| f(so_far, number))),
            Conversion::Unknown => return Ok(Value::Unknown),
            Conversion::Invalid => return Err(Invalid),
        }
    }
    res.map(Value::Number).ok_or(Invalid)
}
