//! Drift from JS: the scipy-named tests (`ks2samp`, `chisquare`, `wassersteinDistance`,
//! `andersonKsamp`), binned `psi` and `jensenShannon`, and the drift report. Columns are
//! number arrays (`null` is missing) or string arrays (categories; `null` is missing), coded
//! over the sorted union of both samples' values as the Python package codes them.

use std::collections::{BTreeMap, BTreeSet};

use aequa_core::drift::anderson::anderson_ksamp as core_anderson;
use aequa_core::drift::binning::{BinningMethod, Bins};
use aequa_core::drift::chisquare::chisquare as core_chisquare;
use aequa_core::drift::ks::{ks_2samp as core_ks, Alternative, KsMethod};
use aequa_core::drift::psi::Floor;
use aequa_core::drift::select::Test;
use aequa_core::drift::wasserstein::wasserstein_distance as core_wasserstein;
use aequa_core::drift::{
    drift_report as core_report, ColumnValues, DriftColumn, DriftInput, DriftOptions, GroupCodes,
    TestChoice,
};
use aequa_core::report::{DriftReport, Num};
use ndarray::ArrayView1;
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::args::{
    arg_error, core_error, export, floats, invalid_type, Fields, Input, Msg, Nums, Read,
};

/// `{data1, data2, alternative?, method?}`.
#[derive(Debug)]
struct KsArgs {
    data1: Nums,
    data2: Nums,
    alternative: Alternative,
    method: KsMethod,
}

impl Read for KsArgs {
    fn read(v: &Value) -> Result<Self, Msg> {
        let f = Fields::of(v, &["data1", "data2", "alternative", "method"])?;
        Ok(KsArgs {
            data1: f.req("data1")?,
            data2: f.req("data2")?,
            alternative: f.or("alternative", Alternative::TwoSided)?,
            method: f.or("method", KsMethod::Auto)?,
        })
    }
}

/// scipy's `KstestResult` fields, and the method the p-value was computed with.
#[derive(Debug, Serialize)]
struct KsOut {
    statistic: Num,
    pvalue: Num,
    statistic_location: Num,
    statistic_sign: i8,
    method: &'static str,
}

fn compute_ks(input: &Input) -> Result<KsOut, JsError> {
    let a: KsArgs = input.parse()?;
    let r = core_ks(
        &floats(&a.data1),
        &floats(&a.data2),
        a.alternative,
        a.method,
    )
    .map_err(core_error)?;
    Ok(KsOut {
        statistic: Num(r.statistic),
        pvalue: Num(r.pvalue),
        statistic_location: Num(r.statistic_location),
        statistic_sign: r.statistic_sign,
        method: if r.method == KsMethod::Exact {
            "exact"
        } else {
            "asymp"
        },
    })
}

/// `{fObs, fExp?, ddof?}`.
#[derive(Debug)]
struct ChisquareArgs {
    f_obs: Nums,
    f_exp: Option<Nums>,
    ddof: i64,
}

impl Read for ChisquareArgs {
    fn read(v: &Value) -> Result<Self, Msg> {
        let f = Fields::of(v, &["fObs", "fExp", "ddof"])?;
        Ok(ChisquareArgs {
            f_obs: f.req("fObs")?,
            f_exp: f.opt("fExp")?,
            ddof: f.or("ddof", 0)?,
        })
    }
}

#[derive(Debug, Serialize)]
struct ChisquareOut {
    statistic: Num,
    pvalue: Num,
    dof: Num,
}

fn compute_chisquare(input: &Input) -> Result<ChisquareOut, JsError> {
    let a: ChisquareArgs = input.parse()?;
    let exp = a.f_exp.as_ref().map(floats);
    let r = core_chisquare(&floats(&a.f_obs), exp.as_deref(), a.ddof).map_err(core_error)?;
    Ok(ChisquareOut {
        statistic: Num(r.statistic),
        pvalue: Num(r.pvalue),
        dof: Num(r.dof),
    })
}

/// `{uValues, vValues, uWeights?, vWeights?}`.
#[derive(Debug)]
struct WassersteinArgs {
    u_values: Nums,
    v_values: Nums,
    u_weights: Option<Nums>,
    v_weights: Option<Nums>,
}

impl Read for WassersteinArgs {
    fn read(v: &Value) -> Result<Self, Msg> {
        let f = Fields::of(v, &["uValues", "vValues", "uWeights", "vWeights"])?;
        Ok(WassersteinArgs {
            u_values: f.req("uValues")?,
            v_values: f.req("vValues")?,
            u_weights: f.opt("uWeights")?,
            v_weights: f.opt("vWeights")?,
        })
    }
}

fn compute_wasserstein(input: &Input) -> Result<Num, JsError> {
    let a: WassersteinArgs = input.parse()?;
    let uw = a.u_weights.as_ref().map(floats);
    let vw = a.v_weights.as_ref().map(floats);
    core_wasserstein(
        &floats(&a.u_values),
        &floats(&a.v_values),
        uw.as_deref(),
        vw.as_deref(),
    )
    .map(Num)
    .map_err(core_error)
}

/// `{samples, midrank?}`.
#[derive(Debug)]
struct AndersonArgs {
    samples: Vec<Nums>,
    midrank: bool,
}

impl Read for AndersonArgs {
    fn read(v: &Value) -> Result<Self, Msg> {
        let f = Fields::of(v, &["samples", "midrank"])?;
        Ok(AndersonArgs {
            samples: f.req("samples")?,
            midrank: f.or("midrank", true)?,
        })
    }
}

#[derive(Debug, Serialize)]
struct AndersonOut {
    statistic: Num,
    critical_values: Vec<Num>,
    pvalue: Num,
    pvalue_bound: Option<String>,
}

fn compute_anderson(input: &Input) -> Result<AndersonOut, JsError> {
    let a: AndersonArgs = input.parse()?;
    let owned: Vec<Vec<f64>> = a.samples.iter().map(floats).collect();
    let views: Vec<&[f64]> = owned.iter().map(Vec::as_slice).collect();
    let r = core_anderson(&views, a.midrank).map_err(core_error)?;
    Ok(AndersonOut {
        statistic: Num(r.statistic),
        critical_values: r.critical_values.into_iter().map(Num).collect(),
        pvalue: Num(r.pvalue),
        pvalue_bound: r.pvalue_bound,
    })
}

export!(
    /// Two-sample Kolmogorov-Smirnov test, as `scipy.stats.ks_2samp`.
    ks2samp, "ks2samp", ks2samp_json, "ks2sampJson", "Ks2sampInput", "KsResult", compute_ks
);
export!(
    /// Pearson's chi-square goodness-of-fit test, as `scipy.stats.chisquare`.
    chisquare, "chisquare", chisquare_json, "chisquareJson", "ChisquareInput",
    "ChisquareResult", compute_chisquare
);
export!(
    /// The first Wasserstein distance, as `scipy.stats.wasserstein_distance`.
    wasserstein_distance, "wassersteinDistance", wasserstein_distance_json,
    "wassersteinDistanceJson", "WassersteinInput", "number", compute_wasserstein
);
export!(
    /// k-sample Anderson-Darling test, as `scipy.stats.anderson_ksamp`.
    anderson_ksamp, "andersonKsamp", anderson_ksamp_json, "andersonKsampJson",
    "AndersonKsampInput", "AndersonKsampResult", compute_anderson
);

// ---------------------------------------------------------------- columns and the report

/// One value of a column as JS holds it.
#[derive(Debug, Clone)]
enum Cell {
    Number(f64),
    Text(String),
    Missing,
}

impl Read for Cell {
    fn read(v: &Value) -> Result<Self, Msg> {
        match v {
            Value::Number(n) => Ok(Cell::Number(n.as_f64().unwrap_or(f64::NAN))),
            Value::String(s) => Ok(Cell::Text(s.clone())),
            Value::Null => Ok(Cell::Missing),
            other => Err(invalid_type(
                other,
                "every value of a column to be a number, a string or null",
            )),
        }
    }
}

/// One side of a column: JS values, or a `Float64Array` (numbers, copied once).
#[derive(Debug, Clone)]
enum Values {
    Cells(Vec<Cell>),
    Numbers(Vec<f64>),
}

impl Read for Values {
    fn read(v: &Value) -> Result<Self, Msg> {
        const EXPECTED: &str = "an array of numbers, strings or null, or a Float64Array";
        match v {
            Value::Array(_) => Vec::<Cell>::read(v).map(Values::Cells),
            Value::String(s) => crate::args::typed(s)
                .map(Values::Numbers)
                .ok_or_else(|| invalid_type(v, EXPECTED)),
            other => Err(invalid_type(other, EXPECTED)),
        }
    }
}

/// A column held by the report input: numbers, or codes into shared levels.
#[derive(Debug)]
enum Held {
    Numeric(String, Vec<f64>, Vec<f64>),
    Categorical(String, Vec<u32>, Vec<u32>, Vec<String>),
}

impl Held {
    fn of(name: &str, reference: &Values, current: &Values) -> Result<Self, JsError> {
        let nums = |values: &Values| -> Option<Vec<f64>> {
            match values {
                Values::Numbers(v) => Some(v.clone()),
                Values::Cells(cells) => cells
                    .iter()
                    .map(|c| match c {
                        Cell::Number(v) => Some(*v),
                        Cell::Missing => Some(f64::NAN),
                        Cell::Text(_) => None,
                    })
                    .collect(),
            }
        };
        if let (Some(r), Some(c)) = (nums(reference), nums(current)) {
            return Ok(Held::Numeric(name.into(), r, c));
        }
        let (r, c, levels) = codes(name, reference, current)?;
        Ok(Held::Categorical(name.into(), r, c, levels))
    }

    fn view(&self) -> DriftColumn<'_> {
        match self {
            Held::Numeric(name, r, c) => DriftColumn {
                name: name.clone(),
                values: ColumnValues::Numeric {
                    reference: ArrayView1::from(r.as_slice()),
                    current: ArrayView1::from(c.as_slice()),
                },
            },
            Held::Categorical(name, r, c, l) => DriftColumn {
                name: name.clone(),
                values: ColumnValues::Categorical {
                    reference: ArrayView1::from(r.as_slice()),
                    current: ArrayView1::from(c.as_slice()),
                    levels: l.clone(),
                },
            },
        }
    }
}

/// Reference codes, current codes and the level labels.
type Coded = (Vec<u32>, Vec<u32>, Vec<String>);

/// Codes over the sorted union of both samples' strings (`u32::MAX` is missing).
fn codes(name: &str, reference: &Values, current: &Values) -> Result<Coded, JsError> {
    let cells = |values: &Values| -> Result<Vec<Cell>, JsError> {
        match values {
            Values::Cells(c) => Ok(c.clone()),
            Values::Numbers(_) => Err(JsError::new(&format!(
                "column '{name}': expected strings (or null) in a categorical column, found a Float64Array; convert the column to strings or to numbers throughout"
            ))),
        }
    };
    let (reference, current) = (cells(reference)?, cells(current)?);
    let mut levels = BTreeSet::new();
    for cell in reference.iter().chain(&current) {
        match cell {
            Cell::Text(s) => {
                levels.insert(s.as_str());
            }
            Cell::Number(v) => {
                return Err(JsError::new(&format!(
                    "column '{name}': expected strings (or null) in a categorical column, found the number {v}; convert the column to strings or to numbers throughout"
                )))
            }
            Cell::Missing => {}
        }
    }
    let levels: Vec<String> = levels.into_iter().map(String::from).collect();
    let code = |cells: &[Cell]| -> Vec<u32> {
        cells
            .iter()
            .map(|c| match c {
                Cell::Text(s) => levels
                    .binary_search(s)
                    .ok()
                    .and_then(|i| u32::try_from(i).ok())
                    .unwrap_or(u32::MAX),
                _ => u32::MAX,
            })
            .collect()
    };
    Ok((code(&reference), code(&current), levels))
}

/// `{name, reference, current}`.
#[derive(Debug)]
struct ColumnArg {
    name: String,
    reference: Values,
    current: Values,
}

impl Read for ColumnArg {
    fn read(v: &Value) -> Result<Self, Msg> {
        let f = Fields::of(v, &["name", "reference", "current"])?;
        Ok(ColumnArg {
            name: f.req("name")?,
            reference: f.req("reference")?,
            current: f.req("current")?,
        })
    }
}

/// `{columns, prediction?, groups?, options?}`.
#[derive(Debug)]
struct ReportArgs {
    columns: Vec<ColumnArg>,
    prediction: Option<ColumnArg>,
    groups: Option<ColumnArg>,
    options: Option<DriftOptions>,
}

impl Read for ReportArgs {
    fn read(v: &Value) -> Result<Self, Msg> {
        let f = Fields::of(v, &["columns", "prediction", "groups", "options"])?;
        Ok(ReportArgs {
            columns: f.req("columns")?,
            prediction: f.opt("prediction")?,
            groups: f.opt("groups")?,
            options: f.opt("options")?,
        })
    }
}

fn report(args: &ReportArgs, options: &DriftOptions) -> Result<DriftReport, JsError> {
    let mut held = Vec::with_capacity(args.columns.len());
    for c in &args.columns {
        held.push(Held::of(&c.name, &c.reference, &c.current)?);
    }
    let pred = args
        .prediction
        .as_ref()
        .map(|c| Held::of(&c.name, &c.reference, &c.current))
        .transpose()?;
    let groups = args
        .groups
        .as_ref()
        .map(|g| codes(&g.name, &g.reference, &g.current).map(|c| (g.name.clone(), c)))
        .transpose()?;
    let input = DriftInput {
        columns: held.iter().map(Held::view).collect(),
        prediction: pred.as_ref().map(Held::view),
        groups: groups.as_ref().map(|(name, (r, c, levels))| GroupCodes {
            name: name.clone(),
            reference: ArrayView1::from(r.as_slice()),
            current: ArrayView1::from(c.as_slice()),
            levels: levels.clone(),
        }),
    };
    core_report(&input, options).map_err(core_error)
}

fn compute_report(input: &Input) -> Result<DriftReport, JsError> {
    let args: ReportArgs = input.parse()?;
    let options = args.options.clone().unwrap_or_default();
    report(&args, &options)
}

export!(
    /// The drift report over columns (tests chosen per column type and size, corrections,
    /// prediction drift, drift within each group).
    drift_report, "driftReport", drift_report_json, "driftReportJson", "DriftReportInput",
    "DriftReport", compute_report
);

/// `{reference, current, bins?, binning?, floor? | base?}`.
#[derive(Debug)]
struct BinnedArgs {
    reference: Values,
    current: Values,
    bins: Option<usize>,
    binning: Option<String>,
    floor: Option<f64>,
    base: Option<f64>,
}

impl Read for BinnedArgs {
    fn read(v: &Value) -> Result<Self, Msg> {
        let f = Fields::of(
            v,
            &["reference", "current", "bins", "binning", "floor", "base"],
        )?;
        Ok(BinnedArgs {
            reference: f.req("reference")?,
            current: f.req("current")?,
            bins: f.opt("bins")?,
            binning: f.opt("binning")?,
            floor: f.opt("floor")?,
            base: f.opt("base")?,
        })
    }
}

/// PSI or Jensen-Shannon distance with the bins compared (Python's `BinnedResult`).
#[derive(Debug, Serialize)]
struct BinnedOut {
    statistic: Num,
    bins: Option<Bins>,
    reference_counts: Value,
    current_counts: Value,
    details: BTreeMap<String, Value>,
}

fn binned(input: &Input, test: Test) -> Result<BinnedOut, JsError> {
    let a: BinnedArgs = input.parse()?;
    let binning = match a.binning {
        Some(name) => {
            BinningMethod::read(&Value::String(name)).map_err(|e| arg_error("input", &e))?
        }
        None => BinningMethod::Quantile,
    };
    let mut options = DriftOptions {
        bins: a.bins.unwrap_or(10),
        binning,
        ..DriftOptions::default()
    };
    options.tests.insert(
        "x".into(),
        TestChoice {
            test,
            threshold: None,
        },
    );
    match (test, a.floor, a.base) {
        (Test::Psi, Some(f), _) => options.floor = Floor::Fixed(f),
        (Test::JensenShannon, _, Some(b)) => options.js_base = Some(b),
        (Test::Psi, _, Some(_)) => {
            return Err(JsError::new("base: psi takes no base; leave it out"))
        }
        (_, Some(_), _) => {
            return Err(JsError::new(
                "floor: jensenShannon applies no floor; leave it out",
            ))
        }
        _ => {}
    }
    let args = ReportArgs {
        columns: vec![ColumnArg {
            name: "x".into(),
            reference: a.reference,
            current: a.current,
        }],
        prediction: None,
        groups: None,
        options: None,
    };
    let r = report(&args, &options)?;
    // One column in, one entry out (none would read as nulls, as the JSON of nothing did).
    let (statistic, bins, mut details) = match r.overall.columns.into_iter().next() {
        Some(entry) => (entry.statistic, entry.bins, entry.details),
        None => (Num(f64::NAN), None, BTreeMap::new()),
    };
    let reference_counts = details.remove("reference_counts").unwrap_or_default();
    let current_counts = details.remove("current_counts").unwrap_or_default();
    details.retain(|k, _| !k.ends_with("_counts"));
    Ok(BinnedOut {
        statistic,
        bins,
        reference_counts,
        current_counts,
        details,
    })
}

fn compute_psi(input: &Input) -> Result<BinnedOut, JsError> {
    binned(input, Test::Psi)
}

fn compute_js(input: &Input) -> Result<BinnedOut, JsError> {
    binned(input, Test::JensenShannon)
}

export!(
    /// Population Stability Index (Evidently's bins and floor) with the bins compared.
    psi, "psi", psi_json, "psiJson", "BinnedInput", "BinnedResult", compute_psi
);
export!(
    /// Jensen-Shannon distance of the binned samples with the bins compared.
    jensen_shannon, "jensenShannon", jensen_shannon_json, "jensenShannonJson", "BinnedInput",
    "BinnedResult", compute_js
);
