//! The argument plumbing every model, explanation, drift and robustness export shares: a JS
//! input object (or its JSON text) becomes one `serde_json::Value` plus, when its `model` is a
//! JS function, that function; typed argument structs are read from the value, so the object
//! and the JSON twin of an export run the same code. Matrices are row-major.

use ndarray::Array2;
use serde::Serialize;
use wasm_bindgen::prelude::*;

pub use crate::fields::{invalid_type, Fields, Msg, Read};

use aequa_core::report::Num;

/// Prefix of the placeholder string that stands for a `Float64Array` in the JSON value: its
/// numbers are copied once into [`TYPED`] instead of becoming one JSON value each.
pub const TYPED_MARK: &str = "\u{0}aequa-f64:";

thread_local! {
    /// The typed arrays of the input being read (see [`TYPED_MARK`]); [`Nums`] takes them out.
    static TYPED: std::cell::RefCell<Vec<Option<Vec<f64>>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An export's input: the plain data as a JSON value, and the `model` when it is a JS function.
#[derive(Debug)]
pub struct Input {
    pub value: serde_json::Value,
    pub func: Option<js_sys::Function>,
}

impl Input {
    /// A JS object: its `model` key is set aside when it is a function (or a trained-model
    /// handle), everything else converted as JSON would convert it (NaN becomes null).
    pub fn from_js(input: JsValue) -> Result<Self, JsError> {
        if !input.is_object() || js_sys::Array::is_array(&input) {
            return Err(JsError::new(
                "input: expected an object such as {model, x, options}, found something else",
            ));
        }
        let model = get(&input, "model");
        let func = model.dyn_ref::<js_sys::Function>().cloned();
        let plain = if func.is_some() {
            let copy = js_sys::Object::assign(&js_sys::Object::new(), input.unchecked_ref());
            let _ = js_sys::Reflect::delete_property(&copy, &JsValue::from_str("model"));
            copy.into()
        } else {
            input
        };
        TYPED.with(|t| t.borrow_mut().clear());
        let value = to_value(&plain, &Path::Root("input"), 0)?;
        Ok(Input { value, func })
    }

    /// JSON text (no function models here).
    pub fn from_json(text: &str) -> Result<Self, JsError> {
        // No typed arrays in text: an old table must not answer a look-alike string.
        TYPED.with(|t| t.borrow_mut().clear());
        let value = serde_json::from_str(text).map_err(|e| arg_error("input", &e))?;
        Ok(Input { value, func: None })
    }

    /// A JS value (not necessarily an object) as [`Input::from_js`] converts it; `argument`
    /// names it in errors.
    pub fn value_of(v: &JsValue, argument: &str) -> Result<serde_json::Value, JsError> {
        TYPED.with(|t| t.borrow_mut().clear());
        to_value(v, &Path::Root(argument), 0)
    }

    /// The typed arguments (unknown keys are errors: each reader lists the keys it knows).
    pub fn parse<T: Read>(&self) -> Result<T, JsError> {
        T::read(&self.value).map_err(|e| arg_error("input", &e))
    }
}

/// Where a value sits in the input (`input.x[3]`), written out only for an error message: a
/// string per element made plain-array inputs twice as slow.
enum Path<'a> {
    Root(&'a str),
    Index(&'a Path<'a>, usize),
    Key(&'a Path<'a>, &'a str),
}

impl std::fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Path::Root(name) => f.write_str(name),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
        }
    }
}

/// A JS value as JSON would carry it: NaN and ±∞ become null, integral numbers integers (so
/// counts and seeds read as integers), typed arrays number arrays, `undefined` keys dropped.
fn to_value(v: &JsValue, path: &Path<'_>, depth: usize) -> Result<serde_json::Value, JsError> {
    use serde_json::Value;
    if depth > 64 {
        return Err(JsError::new(&format!(
            "{path}: expected plain data nested at most 64 levels deep"
        )));
    }
    // The common cases first (numbers, then strings): each test is a call into JS.
    if let Some(x) = v.as_f64() {
        return Ok(number(x));
    }
    if let Some(s) = v.as_string() {
        return Ok(Value::String(s));
    }
    if v.is_null() || v.is_undefined() {
        return Ok(Value::Null);
    }
    if let Some(b) = v.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Some(a) = v.dyn_ref::<js_sys::Float64Array>() {
        let index = TYPED.with(|t| {
            let mut t = t.borrow_mut();
            t.push(Some(a.to_vec()));
            t.len() - 1
        });
        return Ok(Value::String(format!("{TYPED_MARK}{index}")));
    }
    if js_sys::ArrayBuffer::is_view(v) && !v.is_instance_of::<js_sys::DataView>() {
        // Other typed arrays: read through a Float64Array copy.
        let copy = js_sys::Float64Array::from(v.clone());
        return Ok(Value::Array(
            copy.to_vec().into_iter().map(number).collect(),
        ));
    }
    if let Some(list) = v.dyn_ref::<js_sys::Array>() {
        if list.length() >= 64 && all_finite(list) {
            // A column of numbers: copied in one call instead of one call per element.
            let copy = js_sys::Float64Array::new(list);
            return Ok(Value::Array(
                copy.to_vec().into_iter().map(number).collect(),
            ));
        }
        let mut out = Vec::with_capacity(list.length() as usize);
        for (i, item) in list.iter().enumerate() {
            out.push(to_value(&item, &Path::Index(path, i), depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    if v.is_function() {
        return Err(JsError::new(&format!(
            "{path}: found a function; only `model` may be a function f(data, nRows)"
        )));
    }
    if let Some(object) = v.dyn_ref::<js_sys::Object>() {
        let mut map = serde_json::Map::new();
        for entry in js_sys::Object::entries(object).iter() {
            let pair: js_sys::Array = entry.unchecked_into();
            let key = pair.get(0).as_string().unwrap_or_default();
            let item = pair.get(1);
            if item.is_undefined() {
                continue;
            }
            let value = to_value(&item, &Path::Key(path, &key), depth + 1)?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    Err(JsError::new(&format!(
        "{path}: expected numbers, strings, booleans, arrays or objects, found {}",
        v.js_typeof().as_string().unwrap_or_default()
    )))
}

/// Whether every element is a finite number: `list.every(Number.isFinite)`, one call into JS
/// (the builtin predicate runs there).
fn all_finite(list: &js_sys::Array) -> bool {
    let key = |k: &str| JsValue::from_str(k);
    let number = js_sys::Reflect::get(&js_sys::global(), &key("Number")).unwrap_or_default();
    let is_finite = js_sys::Reflect::get(&number, &key("isFinite")).unwrap_or_default();
    let every = js_sys::Reflect::get(list, &key("every")).unwrap_or_default();
    every
        .dyn_ref::<js_sys::Function>()
        .and_then(|f| f.call1(list, &is_finite).ok())
        .and_then(|r| r.as_bool())
        .unwrap_or(false)
}

/// A JS number as a JSON number: integers exactly as integers (not -0), NaN and ±∞ as null.
fn number(x: f64) -> serde_json::Value {
    const SAFE: f64 = 9_007_199_254_740_992.0;
    if x.fract() == 0.0 && x.abs() < SAFE && !(x == 0.0 && x.is_sign_negative()) {
        #[allow(clippy::cast_possible_truncation)]
        return serde_json::Value::from(x as i64);
    }
    serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// A matrix: `number[][]` (one array per row) or `{data, nRows, nCols}` with `data` row-major
/// (a `Float64Array` or a number array). `null` is a missing value (NaN).
#[derive(Debug, Clone)]
pub enum Matrix {
    Rows(Vec<Nums>),
    Flat(FlatMatrix),
}

impl Read for Matrix {
    fn read(v: &serde_json::Value) -> Result<Self, Msg> {
        match v {
            serde_json::Value::Array(_) => Vec::<Nums>::read(v).map(Matrix::Rows),
            serde_json::Value::Object(_) => {
                let f = Fields::of(v, &["data", "nRows", "nCols"])?;
                Ok(Matrix::Flat(FlatMatrix {
                    data: f.req("data")?,
                    n_rows: f.req("nRows")?,
                    n_cols: f.req("nCols")?,
                }))
            }
            other => Err(invalid_type(
                other,
                "a matrix: an array of rows (number[][]) or {data, nRows, nCols} with data row-major",
            )),
        }
    }
}

/// The flat form of [`Matrix`].
#[derive(Debug, Clone)]
pub struct FlatMatrix {
    pub data: Nums,
    pub n_rows: usize,
    pub n_cols: usize,
}

/// What `predict` returns: `{data, nRows, nCols}`, row-major.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlatOut {
    pub data: Vec<Num>,
    pub n_rows: usize,
    pub n_cols: usize,
}

/// A column of numbers: a number array (`null` is NaN) or a `Float64Array` (copied once).
#[derive(Debug, Clone, Default)]
pub struct Nums(pub Vec<f64>);

impl Read for Nums {
    fn read(v: &serde_json::Value) -> Result<Self, Msg> {
        use serde_json::Value;
        match v {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for x in items {
                    out.push(match x {
                        Value::Null => f64::NAN,
                        x => f64::read(x)?,
                    });
                }
                Ok(Nums(out))
            }
            Value::String(s) => typed(s)
                .map(Nums)
                .ok_or_else(|| invalid_type(v, "an array of numbers or a Float64Array")),
            other => Err(invalid_type(other, "an array of numbers or a Float64Array")),
        }
    }
}

/// An `options` object read into the method's options type (`None` or `null`: its defaults).
/// The argument structs keep `options` as a JSON value and call this, so they are not generic
/// over the options type: one deserializer per argument struct in the module, not one per
/// method.
pub fn options_of<O: Read + Default>(options: Option<serde_json::Value>) -> Result<O, JsError> {
    options.map_or_else(
        || Ok(O::default()),
        |v| O::read(&v).map_err(|e| arg_error("input", &e)),
    )
}

/// The typed array a placeholder stands for (taken out of the table: each is read once).
pub fn typed(placeholder: &str) -> Option<Vec<f64>> {
    let index: usize = placeholder.strip_prefix(TYPED_MARK)?.parse().ok()?;
    TYPED.with(|t| t.borrow_mut().get_mut(index).and_then(Option::take))
}

impl Matrix {
    /// The rows × columns array; `argument` names it in errors.
    pub fn array(&self, argument: &str) -> Result<Array2<f64>, JsError> {
        match self {
            Matrix::Rows(rows) => {
                let n_cols = rows.first().map_or(0, |r| r.0.len());
                if let Some((i, r)) = rows.iter().enumerate().find(|(_, r)| r.0.len() != n_cols) {
                    return Err(JsError::new(&format!(
                        "{argument}: expected every row to have {n_cols} values (as row 0), found {} in row {i}",
                        r.0.len()
                    )));
                }
                let data: Vec<f64> = rows.iter().flat_map(|r| r.0.iter().copied()).collect();
                Array2::from_shape_vec((rows.len(), n_cols), data)
                    .map_err(|e| arg_error(argument, &e))
            }
            Matrix::Flat(m) => {
                if m.n_rows.checked_mul(m.n_cols) != Some(m.data.0.len()) {
                    return Err(JsError::new(&format!(
                        "{argument}: expected data of length nRows × nCols = {} × {}, found {}",
                        m.n_rows,
                        m.n_cols,
                        m.data.0.len()
                    )));
                }
                let data: Vec<f64> = m.data.0.clone();
                Array2::from_shape_vec((m.n_rows, m.n_cols), data)
                    .map_err(|e| arg_error(argument, &e))
            }
        }
    }
}

/// A column of numbers (`null` is NaN).
pub fn floats(values: &Nums) -> Vec<f64> {
    values.0.clone()
}

/// The one mapping from core errors to JS: an `Error` carrying the core's message.
pub fn core_error(e: aequa_core::Error) -> JsError {
    JsError::new(&e.to_string())
}

/// An error naming the argument.
pub fn arg_error(argument: &str, e: &dyn std::fmt::Display) -> JsError {
    JsError::new(&format!("{argument}: {e}"))
}

/// A JSON-compatible JS value (NaN as null, maps as objects): the `serde_json` text the Json
/// twin returns, parsed by the host's `JSON.parse` (one serializer per report in the module,
/// not two, and the host's parser is fast).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let text = to_text(value)?;
    js_sys::JSON::parse(&text)
        .map_err(|_| JsError::new("report: the host could not parse the report's JSON"))
}

/// The value as `serde_json` writes it (the text the Python wheel returns).
pub fn to_text<T: Serialize + ?Sized>(value: &T) -> Result<String, JsError> {
    serde_json::to_string(value).map_err(|e| arg_error("report", &e))
}

pub fn get(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// An export and its JSON twin over one `fn(&Input) -> Result<impl Serialize, JsError>`.
macro_rules! export {
    ($(#[$doc:meta])* $name:ident, $js:tt, $json_name:ident, $js_json:tt, $input_ty:tt, $ret:tt, $compute:path) => {
        $(#[$doc])*
        #[wasm_bindgen(js_name = $js, unchecked_return_type = $ret)]
        pub fn $name(
            #[wasm_bindgen(unchecked_param_type = $input_ty)] input: JsValue,
        ) -> Result<JsValue, JsError> {
            $crate::args::to_js(&$compute(&$crate::args::Input::from_js(input)?)?)
        }

        $(#[$doc])*
        /// JSON text in, the result as `serde_json` writes it out.
        #[wasm_bindgen(js_name = $js_json)]
        pub fn $json_name(input: &str) -> Result<String, JsError> {
            $crate::args::to_text(&$compute(&$crate::args::Input::from_json(input)?)?)
        }
    };
}
pub(crate) use export;
