//! The one reader of the exports' arguments: every input is a `serde_json::Value` (see
//! `args::Input`), and each argument struct is read from it by hand through [`Fields`] (the
//! object's keys checked against a list, typed getters) and [`Read`] (numbers, strings, lists,
//! matrices). Size (issue 5): a derived `Deserialize` per argument struct carried its own map
//! and sequence visitors and field matcher; these readers are shared. The messages keep
//! serde's wording (`unknown field`, `missing field`, `invalid type: ..., expected ...`), so
//! the errors read as they did; the caller prefixes the argument (`input: ...`).
//!
//! The core's option structs, enums and native models are read the same way
//! (`crate::options`, `crate::enums`, `crate::model_json`); no derived reader over the value
//! is left in the module.

use serde_json::{Map, Value};

/// An error message without the argument's name.
pub type Msg = String;

/// How serde names a value it did not expect.
fn unexpected(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) if n.is_f64() => format!("floating point `{n}`"),
        Value::Number(n) => format!("integer `{n}`"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "sequence".into(),
        Value::Object(_) => "map".into(),
    }
}

/// serde's "invalid type" message.
pub fn invalid_type(v: &Value, expected: &str) -> Msg {
    format!("invalid type: {}, expected {expected}", unexpected(v))
}

/// A value read by hand from the JSON value.
pub trait Read: Sized {
    fn read(v: &Value) -> Result<Self, Msg>;
}

/// The keys of an object, read one by one.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    /// `value` as an object whose keys are all in `known`.
    pub fn of(value: &'a Value, known: &[&str]) -> Result<Self, Msg> {
        let fields = Self::lenient(value)?;
        if let Some(key) = fields.map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(unknown_field(key, known));
        }
        Ok(fields)
    }

    /// `value` as an object; keys not read are ignored.
    pub fn lenient(value: &'a Value) -> Result<Self, Msg> {
        match value {
            Value::Object(map) => Ok(Fields { map }),
            other => Err(invalid_type(other, "an object")),
        }
    }

    /// A required key.
    pub fn req<T: Read>(&self, key: &str) -> Result<T, Msg> {
        match self.map.get(key) {
            Some(v) => T::read(v),
            None => Err(format!("missing field `{key}`")),
        }
    }

    /// An optional key: absent or `null` is `None`.
    pub fn opt<T: Read>(&self, key: &str) -> Result<Option<T>, Msg> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => T::read(v).map(Some),
        }
    }

    /// A key with a default when absent (`null` is read as a value, as serde's `default`).
    pub fn or<T: Read>(&self, key: &str, default: T) -> Result<T, Msg> {
        self.map.get(key).map_or(Ok(default), T::read)
    }

    /// A key's value as it is.
    pub fn raw(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }
}

/// serde's "unknown field" message, listing the keys an object may have.
pub fn unknown_field(key: &str, known: &[&str]) -> Msg {
    format!("unknown field `{key}`, {}", one_of(known, "fields"))
}

/// serde's list of what was expected: `` expected `a` or `b` ``, `` expected one of `a`, ... ``
/// (`what`: "fields" or "variants", for an empty list).
pub fn one_of(names: &[&str], what: &str) -> String {
    let quoted: Vec<String> = names.iter().map(|k| format!("`{k}`")).collect();
    match quoted.as_slice() {
        [] => format!("there are no {what}"),
        [one] => format!("expected {one}"),
        [a, b] => format!("expected {a} or {b}"),
        all => format!("expected one of {}", all.join(", ")),
    }
}

/// Tests: `T` read from `case` by hand and by its derived reader gives the same value or the
/// same message. A hand-reader error `skip` accepts is not compared: forms serde also reads
/// and this reader does not (a struct written as the list of its fields in order).
#[cfg(test)]
pub fn assert_same_as_serde<T>(case: &Value, skip: fn(&str) -> bool)
where
    T: Read + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let by_hand = T::read(case);
    let by_serde = T::deserialize(case).map_err(|e| e.to_string());
    match (by_hand, by_serde) {
        (Err(a), _) if skip(&a) => {}
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{case}"),
        (Err(a), Err(b)) => assert_eq!(a, b, "{case}"),
        (a, b) => panic!("{case}: by hand {a:?}, serde {b:?}"),
    }
}

impl Read for Value {
    fn read(v: &Value) -> Result<Self, Msg> {
        Ok(v.clone())
    }
}

impl Read for f64 {
    fn read(v: &Value) -> Result<Self, Msg> {
        v.as_f64().ok_or_else(|| invalid_type(v, "f64"))
    }
}

impl Read for bool {
    fn read(v: &Value) -> Result<Self, Msg> {
        v.as_bool().ok_or_else(|| invalid_type(v, "a boolean"))
    }
}

impl Read for String {
    fn read(v: &Value) -> Result<Self, Msg> {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| invalid_type(v, "a string"))
    }
}

/// An integer type: a JSON integer in its range.
macro_rules! integer {
    ($($t:ty),*) => {$(
        impl Read for $t {
            fn read(v: &Value) -> Result<Self, Msg> {
                integer(v, stringify!($t)).and_then(|i| {
                    <$t>::try_from(i)
                        .map_err(|_| format!("invalid value: integer `{i}`, expected {}", stringify!($t)))
                })
            }
        }
    )*};
}

/// A JSON integer (as `i128`, which holds every `i64` and `u64`).
fn integer(v: &Value, name: &str) -> Result<i128, Msg> {
    match v {
        Value::Number(n) if n.is_i64() => n.as_i64().map(i128::from),
        Value::Number(n) if n.is_u64() => n.as_u64().map(i128::from),
        _ => None,
    }
    .ok_or_else(|| invalid_type(v, name))
}

integer!(u8, u16, u32, u64, usize, i32, i64);

impl<T: Read> Read for Vec<T> {
    fn read(v: &Value) -> Result<Self, Msg> {
        let Value::Array(items) = v else {
            return Err(invalid_type(v, "a sequence"));
        };
        // A plain loop: `collect` into a `Result` is a larger iterator adapter per element type.
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(T::read(item)?);
        }
        Ok(out)
    }
}

impl<T: Read> Read for Option<T> {
    fn read(v: &Value) -> Result<Self, Msg> {
        match v {
            Value::Null => Ok(None),
            other => T::read(other).map(Some),
        }
    }
}

impl<T: Read> Read for std::collections::BTreeMap<String, T> {
    fn read(v: &Value) -> Result<Self, Msg> {
        match v {
            Value::Object(map) => {
                let mut out = std::collections::BTreeMap::new();
                for (k, item) in map {
                    out.insert(k.clone(), T::read(item)?);
                }
                Ok(out)
            }
            other => Err(invalid_type(other, "a map")),
        }
    }
}

/// A fixed-length array, as serde reads one: element by element, then the length.
impl<T: Read + Copy + Default, const N: usize> Read for [T; N] {
    fn read(v: &Value) -> Result<Self, Msg> {
        let Value::Array(items) = v else {
            return Err(invalid_type(v, &format!("an array of length {N}")));
        };
        let mut out = [T::default(); N];
        for (i, slot) in out.iter_mut().enumerate() {
            let item = items
                .get(i)
                .ok_or_else(|| format!("invalid length {i}, expected an array of length {N}"))?;
            *slot = T::read(item)?;
        }
        if items.len() > N {
            return Err(format!(
                "invalid length {}, expected fewer elements in array",
                items.len()
            ));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    /// A struct with a derived reader, to compare the messages with serde's.
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Derived {
        n_boot: u32,
        list: Vec<f64>,
        #[serde(default)]
        flag: Option<bool>,
    }

    fn by_hand(v: &Value) -> Result<(u32, Vec<f64>, Option<bool>), Msg> {
        let f = Fields::of(v, &["nBoot", "list", "flag"])?;
        Ok((f.req("nBoot")?, f.req("list")?, f.opt("flag")?))
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn messages_match_serde() {
        for text in [
            r#"{"nBoot": 2, "list": [1, 2.5], "flag": null}"#,
            r#"{"nBoot": 2, "list": [1], "seed": 1}"#,
            r#"{"list": [1]}"#,
            r#"{"nBoot": -1, "list": []}"#,
            r#"{"nBoot": 1.5, "list": []}"#,
            r#"{"nBoot": 5000000000, "list": []}"#,
            r#"{"nBoot": "3", "list": []}"#,
            r#"{"nBoot": 3, "list": {"a": 1}}"#,
            r#"{"nBoot": 3, "list": [null]}"#,
            r#"{"nBoot": 3, "list": [true]}"#,
            r#"{"nBoot": 3, "list": [], "flag": 1}"#,
        ] {
            let v: Value = serde_json::from_str(text).unwrap();
            let derived = Derived::deserialize(&v).map_err(|e| e.to_string());
            let hand = by_hand(&v);
            match (derived, hand) {
                (Ok(d), Ok(h)) => assert_eq!((d.n_boot, d.list, d.flag), h, "{text}"),
                (Err(d), Err(h)) => assert_eq!(d, h, "{text}"),
                (d, h) => panic!("{text}: serde {d:?}, by hand {h:?}"),
            }
        }
        assert_eq!(
            unknown_field("k", &["a", "b"]),
            "unknown field `k`, expected `a` or `b`"
        );
        assert_eq!(
            invalid_type(&Value::Null, "an object"),
            "invalid type: null, expected an object"
        );
    }
}
