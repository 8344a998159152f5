//! Robustness from JS: noise stability, the sensitive-attribute flip and HopSkipJump on native
//! models or JS functions; FGSM, PGD and the exact minimal perturbation on native models.
//! `options` is the core's options object (snake_case). The wall time (`elapsed_seconds`) is
//! measured here with `Date.now()`, as the Python binding measures it with its clock.

use aequa_core::model::{LinearModel, NativeModel};
use aequa_core::report::robust::{AttackReport, NoiseStabilityReport, SensitiveFlipReport};
use aequa_core::robust::constraints::Constraints;
use aequa_core::robust::hop_skip_jump::{hop_skip_jump as core_hsj, HsjOptions};
use aequa_core::robust::linear_attack::{self, GradientOptions, Norm};
use aequa_core::robust::noise::{noise_stability as core_noise, NoiseOptions};
use aequa_core::robust::sensitive_flip::{sensitive_flip as core_flip, FlipOptions};
use aequa_core::robust::{check_matrix, tree_attack};
use aequa_core::Error;
use ndarray::{Array1, Array2};
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::args::{arg_error, core_error, export, floats, Fields, Input, Matrix, Msg, Nums, Read};
use crate::input::{encode_all, FeatureArg};
use crate::model::{native, ModelArg};

/// Seconds since `start` (milliseconds from `Date.now()`).
fn since(start: f64) -> Option<f64> {
    Some((js_sys::Date::now() - start) / 1000.0)
}

/// `{model, x, y?, sensitive?, options?}`.
#[derive(Debug)]
struct ProbeArgs {
    model: Option<Value>,
    x: Matrix,
    y: Option<Nums>,
    sensitive: Vec<FeatureArg>,
    options: Option<Value>,
}

impl Read for ProbeArgs {
    fn read(v: &Value) -> Result<Self, Msg> {
        let f = Fields::of(v, &["model", "x", "y", "sensitive", "options"])?;
        Ok(ProbeArgs {
            model: f.opt("model")?,
            x: f.req("x")?,
            y: f.opt("y")?,
            sensitive: f.or("sensitive", Vec::new())?,
            options: f.opt("options")?,
        })
    }
}

/// Parsed arguments, `x`, `y` (if any) and the options.
type Parsed<O> = (ProbeArgs, Array2<f64>, Option<Array1<f64>>, O);

fn read<O: Read + Default>(input: &Input) -> Result<Parsed<O>, JsError> {
    let mut args: ProbeArgs = input.parse()?;
    let x = args.x.array("x")?;
    let y = args.y.as_ref().map(|y| Array1::from(floats(y)));
    let options = crate::args::options_of(args.options.take())?;
    Ok((args, x, y, options))
}

fn no_y(args: &ProbeArgs, what: &str) -> Result<(), JsError> {
    if args.y.is_some() {
        return Err(JsError::new(&format!(
            "y: {what} compares the model with itself and takes no labels; leave y out"
        )));
    }
    Ok(())
}

fn no_sensitive(args: &ProbeArgs, what: &str) -> Result<(), JsError> {
    if !args.sensitive.is_empty() {
        return Err(JsError::new(&format!(
            "sensitive: {what} takes no grouping columns; leave sensitive out"
        )));
    }
    Ok(())
}

fn compute_noise(input: &Input) -> Result<NoiseStabilityReport, JsError> {
    let (args, x, _, options) = read::<NoiseOptions>(input)?;
    no_y(&args, "noiseStability")?;
    check_matrix(x.view(), "X").map_err(core_error)?;
    let model = ModelArg::resolve(input, args.model.as_ref(), x.view())?;
    let encoded = encode_all("sensitive", &args.sensitive).map_err(core_error)?;
    let groups: Vec<_> = encoded.iter().map(|e| e.feature()).collect();
    let start = js_sys::Date::now();
    let mut report =
        core_noise(model.as_model(), x.view(), &groups, &options).map_err(core_error)?;
    report.elapsed_seconds = since(start);
    Ok(report)
}

fn compute_flip(input: &Input) -> Result<SensitiveFlipReport, JsError> {
    let (args, x, _, options) = read::<FlipOptions>(input)?;
    no_y(&args, "sensitiveFlip")?;
    no_sensitive(
        &args,
        "sensitiveFlip (it flips the columns options.sensitive_indices names)",
    )?;
    check_matrix(x.view(), "X").map_err(core_error)?;
    let model = ModelArg::resolve(input, args.model.as_ref(), x.view())?;
    let start = js_sys::Date::now();
    let mut report = core_flip(model.as_model(), x.view(), &options).map_err(core_error)?;
    report.elapsed_seconds = since(start);
    Ok(report)
}

fn compute_hsj(input: &Input) -> Result<AttackReport, JsError> {
    let (args, x, y, options) = read::<HsjOptions>(input)?;
    no_sensitive(&args, "hopSkipJump")?;
    check_matrix(x.view(), "X").map_err(core_error)?;
    let model = ModelArg::resolve(input, args.model.as_ref(), x.view())?;
    let start = js_sys::Date::now();
    let mut report = core_hsj(
        model.as_model(),
        x.view(),
        y.as_ref().map(|a| a.view()),
        &options,
    )
    .map_err(core_error)?;
    report.elapsed_seconds = since(start);
    Ok(report)
}

fn linear(model: &NativeModel) -> Result<&LinearModel, JsError> {
    match model {
        NativeModel::Linear(m) => Ok(m),
        NativeModel::Trees(_) => Err(core_error(Error::Unsupported(
            "model: gradient attacks need a native linear or logistic model, found a tree \
             ensemble; use hopSkipJump"
                .into(),
        ))),
    }
}

fn gradient(input: &Input, pgd: bool) -> Result<AttackReport, JsError> {
    let (args, x, y, options) = read::<GradientOptions>(input)?;
    no_sensitive(&args, if pgd { "pgd" } else { "fgsm" })?;
    if input.func.is_some() {
        return Err(JsError::new(
            "model: gradient attacks need a native linear or logistic model, found a JS function; use hopSkipJump",
        ));
    }
    let model = native(args.model.as_ref())?;
    let m = linear(&model)?;
    let start = js_sys::Date::now();
    let y = y.as_ref().map(|a| a.view());
    let mut report = if pgd {
        linear_attack::pgd(m, x.view(), y, &options)
    } else {
        linear_attack::fgsm(m, x.view(), y, &options)
    }
    .map_err(core_error)?;
    report.elapsed_seconds = since(start);
    Ok(report)
}

fn compute_fgsm(input: &Input) -> Result<AttackReport, JsError> {
    gradient(input, false)
}

fn compute_pgd(input: &Input) -> Result<AttackReport, JsError> {
    gradient(input, true)
}

/// Options of the minimal perturbation (Python's `minimal_perturbation` keywords).
#[derive(Debug)]
struct MinimalOptions {
    norm: Norm,
    constraints: Constraints,
    overshoot: f64,
}

impl MinimalOptions {
    /// `{norm?, constraints?, overshoot?}` (absent or null: the defaults).
    fn read(options: Option<&Value>) -> Result<Self, JsError> {
        let mut o = MinimalOptions {
            norm: Norm::default(),
            constraints: Constraints::default(),
            overshoot: 1e-9,
        };
        if let Some(v) = options.filter(|v| !v.is_null()) {
            let read = |o: MinimalOptions| -> Result<MinimalOptions, Msg> {
                let f = Fields::of(v, &["norm", "constraints", "overshoot"])?;
                Ok(MinimalOptions {
                    norm: f.or("norm", o.norm)?,
                    constraints: f.or("constraints", o.constraints)?,
                    overshoot: f.or("overshoot", o.overshoot)?,
                })
            };
            o = read(o).map_err(|e| arg_error("input", &e))?;
        }
        Ok(o)
    }
}

fn compute_minimal(input: &Input) -> Result<AttackReport, JsError> {
    let (args, x, _, options) = read::<Value>(input)?;
    let o = MinimalOptions::read(Some(&options))?;
    no_y(&args, "minimalPerturbation")?;
    no_sensitive(&args, "minimalPerturbation")?;
    if input.func.is_some() {
        return Err(JsError::new(
            "model: the exact minimal perturbation needs a native linear model or a single tree, found a JS function; use hopSkipJump",
        ));
    }
    let model = native(args.model.as_ref())?;
    let start = js_sys::Date::now();
    let mut report = match &model {
        NativeModel::Linear(m) => {
            linear_attack::minimal_perturbation(m, x.view(), o.norm, &o.constraints, o.overshoot)
        }
        NativeModel::Trees(t) => {
            tree_attack::tree_minimal_perturbation(t, x.view(), o.norm, &o.constraints, 0.5)
        }
    }
    .map_err(core_error)?;
    report.elapsed_seconds = since(start);
    Ok(report)
}

export!(
    /// Prediction stability under seeded Gaussian or uniform noise, per budget, feature and group.
    noise_stability, "noiseStability", noise_stability_json, "noiseStabilityJson",
    "ProbeInput<NoiseOptions>", "NoiseStabilityReport", compute_noise
);
export!(
    /// Counterfactual probe: how often flipping the sensitive column(s) changes the prediction.
    sensitive_flip, "sensitiveFlip", sensitive_flip_json, "sensitiveFlipJson",
    "ProbeInput<FlipOptions>", "SensitiveFlipReport", compute_flip
);
export!(
    /// HopSkipJump (decision-based, L2 or L∞) on any model, seeded.
    hop_skip_jump, "hopSkipJump", hop_skip_jump_json, "hopSkipJumpJson",
    "ProbeInput<HsjOptions>", "AttackReport", compute_hsj
);
export!(
    /// FGSM on a native linear or logistic model.
    fgsm, "fgsm", fgsm_json, "fgsmJson", "ProbeInput<GradientOptions>", "AttackReport",
    compute_fgsm
);
export!(
    /// PGD on a native linear or logistic model.
    pgd, "pgd", pgd_json, "pgdJson", "ProbeInput<GradientOptions>", "AttackReport", compute_pgd
);
export!(
    /// The exact minimal perturbation of a binary linear model (closed form) or a single tree.
    minimal_perturbation, "minimalPerturbation", minimal_perturbation_json,
    "minimalPerturbationJson", "ProbeInput<MinimalOptions>", "AttackReport", compute_minimal
);
